"""The crisis safety net in all seven languages: phrases match through spelling noise; idioms and hard negatives do not."""

from pathlib import Path

import pytest
import yaml

from bot.content import CRISIS_TOPIC, load_content, normalise
from bot.content._safety import SafetyNet
from bot.i18n import LANGUAGES
from tests.conftest import CONTENT_DIR, ROOT

CONTENT = load_content(CONTENT_DIR)
SAFETY = CONTENT.safety
ORDINARY_WORDS = {
    word for topic_id, topic in CONTENT.topics.items() if topic_id != CRISIS_TOPIC
    for text in topic.translations.values() for example in text.examples for word in normalise(example).split()
}
HELD_OUT = ROOT / "tests" / "nlu_data"


def _lists(language: str) -> dict[str, list[str]]:
    return yaml.safe_load((CONTENT_DIR / "safety" / f"{language}.yml").read_text(encoding="utf-8"))


def _held_out(language: str) -> dict[str, object]:
    return yaml.safe_load((HELD_OUT / f"{language}.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("written", "expected"), [
    ("JAG VILL DÖÖÖ", "jag vil do"),
    ("i wanna dieeee!!!", "i wana die"),
    ("أُرِيدُ أَنْ أَمُوت", "ارید ان اموت"),
    ("بــدي مــوت", "بدی موت"),
    ("ميخواهم خودكشي كنم", "میخواهم خودکشی کنم"),
    ("می‌خواهم بمیرم", "می خواهم بمیرم"),
    ("ክመውት፡ እደሊ።", "ክመውት እደሊ"),
    ("ሕይወተይ ከብቅዕ", normalise("ህይወተይ ከብቅእ")),  # ሐ/ሀ and ዐ/አ spelled either way
    ("ሠላም ፀሓይ አነ", normalise("ሰላም ጸሃይ ኣነ")),
    ("ځان وژنم ډېر", normalise("ځان وژنم دیر")),  # Pashto letters typed on a Persian keyboard
])
def test_normalising_folds_case_accents_letter_variants_tatweel_and_repeats(written: str, expected: str) -> None:
    assert normalise(written) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_crisis_phrase_triggers_inside_a_sentence_and_in_capitals(language: str) -> None:
    for phrase in _lists(language)["crisis"]:
        for message in (f"... {phrase}", f"{phrase.upper()}!!", f"hej. {phrase}, ok?"):
            assert SAFETY.check(message).crisis is not None, (language, message)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exploitation_phrase_raises_exploitation_not_crisis(language: str) -> None:
    for phrase in _lists(language).get("exploitation", []):
        signal = SAFETY.check(f"{phrase} ...")
        assert signal.exploitation is not None and signal.crisis is None, (language, phrase)


@pytest.mark.parametrize("language", LANGUAGES)
def test_hard_negatives_and_ordinary_questions_do_not_trigger(language: str) -> None:
    data = _held_out(language)
    ordinary = [m for messages in data["topics"].values() for m in messages if isinstance(m, str)]
    for message in [*data["hard_negatives"], *data["out_of_scope"], *ordinary]:
        assert SAFETY.check(message).crisis is None, (language, message)


@pytest.mark.parametrize("language", LANGUAGES)
def test_harmless_idioms_are_recognised(language: str) -> None:
    for idiom in _lists(language).get("not_crisis", []):
        assert SAFETY.check(idiom).harmless_idiom is not None, (language, idiom)


@pytest.mark.parametrize(("message", "language"), [
    ("jag vill inte leva längre", "sv"), ("i want to kill myself tonight", "en"), ("bdi mot, ma 3ad fiyi", "ar"),
    ("mikhaham khodkoshi konam", "fa-AF"), ("ሕጂ ክመውት እደሊ", "ti"),
])
def test_realistic_crisis_messages_in_several_scripts(message: str, language: str) -> None:
    assert SAFETY.check(message).crisis is not None, (language, message)


def test_the_safety_files_exist_for_every_language() -> None:
    assert sorted(path.stem for path in Path(CONTENT_DIR / "safety").glob("*.yml")) == sorted(LANGUAGES)


def _misspelt(word: str) -> str:
    """`word` as thumbs on a phone misspell it: its second and third letters swapped; in Ge'ez, whose
    letters are syllables, its last syllable with another vowel."""
    if _is_geez(word):
        last = ord(word[-1])
        return word[:-1] + chr(last - last % 8 + (last % 8 + 1) % 7)
    return word[0] + word[2] + word[1] + word[3:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_crisis_phrase_with_a_misspelt_word_still_triggers(language: str) -> None:
    tried, words_in_their_own_right = 0, ORDINARY_WORDS | _words_of_phrases(language)
    for phrase in _lists(language)["crisis"]:
        words = normalise(phrase).split()
        for index, word in enumerate(words):
            misspelt = normalise(_misspelt(word)) if len(word) >= 3 else word
            if len(misspelt) < (3 if _is_geez(word) else 5) or misspelt == word or misspelt in words_in_their_own_right:
                continue  # too short to guess at, no misspelling, or a word in its own right: never read as another
            message = " ".join(words[:index] + [misspelt] + words[index + 1:])
            assert SAFETY.check(message).crisis is not None, (language, phrase, message)
            tried += 1
            break
    assert tried >= 20, language


def test_a_misspelling_must_be_one_letter_off_and_no_ordinary_word() -> None:
    net = SafetyNet(crisis=["swallowed the tablets"], exploitation=[], not_crisis=[], ordinary_words=["tables"])
    matched = normalise("swallowed the tablets")
    assert net.check("i swallowed the tablet").crisis == matched  # a letter missing
    assert net.check("i swallowed the tabletts").crisis == matched  # a letter added (double letters fold anyway)
    assert net.check("i swallowed the tablers").crisis == matched  # a letter changed
    assert net.check("i swalolwed teh tabelts").crisis is None  # "teh": too short to guess at
    assert net.check("i swalolwed the tabelts").crisis == matched  # letters swapped, in two words
    assert net.check("i swallowed the tables").crisis is None  # an ordinary word stays itself
    assert net.check("i swallowed the tabloids").crisis is None  # two letters off
    assert net.check("").crisis is None and net.check("?!").crisis is None  # no words at all


def test_in_geez_only_a_vowel_may_be_misspelt_not_the_consonant() -> None:
    net = SafetyNet(crisis=["ክመውት እደሊ"], exploitation=[], not_crisis=[])
    assert net.check("ክመውቲ እደሊ").crisis is not None  # ት → ቲ: the same consonant, another vowel
    assert net.check("ክመውን እደሊ").crisis is None  # ት → ን: another consonant, another word
    assert net.check("ክመው እደሊ").crisis is None  # a syllable missing


def _words_of_phrases(language: str) -> set[str]:
    return {word for phrases in _lists(language).values() if isinstance(phrases, list) for phrase in phrases for word in normalise(phrase).split()}


def _is_geez(word: str) -> bool:
    return any("\u1200" <= letter <= "\u137f" for letter in word)

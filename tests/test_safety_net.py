"""The crisis safety net in all seven languages: phrases match through spelling noise; idioms and hard negatives do not."""

from pathlib import Path

import pytest
import yaml

from bot.content import load_content, normalise
from bot.i18n import LANGUAGES
from tests.conftest import CONTENT_DIR, ROOT

SAFETY = load_content(CONTENT_DIR).safety
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

"""The crisis safety net: NGO-edited phrases matched in any language, so a crisis never rests on the classifier alone."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice, product

from bot.content._normalise import normalise, words_of

_GEEZ_FIRST, _GEEZ_LAST = 0x1200, 0x137F
MIN_MISSPELT_LETTERS = 5
"""Only words this long are read as a misspelling of a phrase word: shorter ones are too often another word."""
MIN_MISSPELT_GEEZ_LETTERS = 3
"""The same for Ge'ez, whose letters are syllables: three of them are about as long as five Latin letters."""
MAX_READINGS = 16


@dataclass(frozen=True)
class SafetySignal:
    """The phrases a message matched (None where it matched none)."""

    crisis: str | None = None
    exploitation: str | None = None
    harmless_idiom: str | None = None


class _Misspellings:
    """Reads an unknown word one letter away (a letter missing, added, changed or two swapped) from a phrase word
    as that phrase word. Words seen in ordinary messages are never read as another word: "bills" stays "bills"."""

    def __init__(self, phrase_words: Iterable[str], *, known_words: frozenset[str]) -> None:
        self._phrase_words = frozenset(phrase_words)
        self._known = known_words | self._phrase_words
        self._by_deletion: defaultdict[str, set[str]] = defaultdict(set)
        for word in self._phrase_words:
            if len(word) >= _min_letters(word):
                for key in _one_letter_less(word) | {word}:
                    self._by_deletion[key].add(word)

    def readings(self, normalised_text: str) -> Iterator[str]:
        """`normalised_text` read with its misspelt phrase words spelt right, each way they may be meant
        (at most `MAX_READINGS`); nothing if no word looks misspelt."""
        words = normalised_text.split()
        choices = [self._phrase_words_for(word) or [word] for word in words]
        if choices == [[word] for word in words]:
            return
        yield from (" ".join(reading) for reading in islice(product(*choices), MAX_READINGS))

    def _phrase_words_for(self, word: str) -> list[str]:
        if len(word) < _min_letters(word) or word in self._known:
            return []
        candidates = set().union(*(self._by_deletion.get(key, ()) for key in _one_letter_less(word) | {word}))
        return sorted(c for c in candidates if _one_edit_apart(word, c))


def _is_geez(letter: str) -> bool:
    return _GEEZ_FIRST <= ord(letter) <= _GEEZ_LAST


def _min_letters(word: str) -> int:
    return MIN_MISSPELT_GEEZ_LETTERS if _is_geez(word[0]) else MIN_MISSPELT_LETTERS


def _one_letter_less(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbouring letters turns `a` into `b`.
    A Ge'ez letter is a syllable: there only the vowel of one letter may be wrong (the same consonant's
    row); a different consonant, or a letter more or less, is a different word."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if _is_geez(a[0]) or _is_geez(b[0]):
        differing = [(x, y) for x, y in zip(a, b) if x != y]
        return len(a) == len(b) and len(differing) == 1 and ord(differing[0][0]) // 8 == ord(differing[0][1]) // 8
    if len(a) > len(b):
        a, b = b, a
    prefix = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[prefix:] == b[prefix + 1:]
    return a[prefix + 1:] == b[prefix + 1:] or (a[prefix:prefix + 2] == b[prefix:prefix + 2][::-1] and a[prefix + 2:] == b[prefix + 2:])


class _PhraseSet:
    """Whole-word, in-order matching of normalised phrases in normalised text, misspelt words included if `known_words` is given.

    Normalised text is words and single spaces, so a phrase matches where its words follow each other
    in the text's words. Indexed by first word, so a check costs a few dictionary lookups per word of
    the message whatever the number of phrases (one regular expression of thousands of alternatives
    took milliseconds per message, times each misspelt reading)."""

    def __init__(self, phrases: Iterable[str], *, known_words: frozenset[str] | None = None) -> None:
        normalised = {normalise(phrase) for phrase in phrases} - {""}
        self._by_first_word: defaultdict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in sorted(normalised, key=len, reverse=True):  # the longest phrase that matches is the one named
            phrase_words = tuple(phrase.split())
            self._by_first_word[phrase_words[0]].append(phrase_words)
        self._misspellings = _Misspellings(words_of(normalised), known_words=known_words) if known_words is not None else None

    def first_match(self, normalised_text: str) -> str | None:
        """The phrase found first in `normalised_text` (the longest of those starting at the same word), or in
        its first reading with misspelt words spelt right that has one."""
        found = self._first_in(normalised_text)
        if found is None and self._misspellings is not None:
            found = next(filter(None, map(self._first_in, self._misspellings.readings(normalised_text))), None)
        return found

    def _first_in(self, normalised_text: str) -> str | None:
        words = normalised_text.split()
        for start, word in enumerate(words):
            for phrase in self._by_first_word.get(word, ()):
                if tuple(words[start:start + len(phrase)]) == phrase:
                    return " ".join(phrase)
        return None


class SafetyNet:
    """Every language's crisis, exploitation and harmless-idiom phrases, checked on every message.

    All languages are checked whatever the conversation's language: a young person may write
    Swedish in Latin letters in an Arabic conversation, and a crisis must never be missed for that.
    Crisis phrases also match with a misspelt word (one letter off) that is no word of an ordinary
    message: `ordinary_words` (those of the content's example questions) or of the other phrases.
    """

    def __init__(self, *, crisis: Iterable[str], exploitation: Iterable[str], not_crisis: Iterable[str], ordinary_words: Iterable[str] = ()) -> None:
        exploitation, not_crisis = list(exploitation), list(not_crisis)
        known = frozenset(ordinary_words) | words_of(exploitation) | words_of(not_crisis)
        self._crisis = _PhraseSet(crisis, known_words=known)
        self._exploitation = _PhraseSet(exploitation)
        self._not_crisis = _PhraseSet(not_crisis)

    def check(self, text: str) -> SafetySignal:
        """What `text` signals."""
        normalised = normalise(text)
        return SafetySignal(
            crisis=self._crisis.first_match(normalised),
            exploitation=self._exploitation.first_match(normalised),
            harmless_idiom=self._not_crisis.first_match(normalised),
        )

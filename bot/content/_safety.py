"""The crisis safety net: NGO-edited phrases matched in any language, so a crisis never rests on the classifier alone."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content._normalise import normalise


@dataclass(frozen=True)
class SafetySignal:
    """The phrases a message matched (None where it matched none)."""

    crisis: str | None = None
    exploitation: str | None = None
    harmless_idiom: str | None = None


class _PhraseSet:
    """Whole-word, in-order matching of normalised phrases in normalised text."""

    def __init__(self, phrases: Iterable[str]) -> None:
        normalised = sorted({normalise(phrase) for phrase in phrases} - {""}, key=len, reverse=True)
        self._pattern = re.compile(r"(?<!\S)(" + "|".join(map(re.escape, normalised)) + r")(?!\S)") if normalised else None

    def first_match(self, normalised_text: str) -> str | None:
        if self._pattern is None:
            return None
        match = self._pattern.search(normalised_text)
        return match.group(1) if match else None


class SafetyNet:
    """Every language's crisis, exploitation and harmless-idiom phrases, checked on every message.

    All languages are checked whatever the conversation's language: a young person may write
    Swedish in Latin letters in an Arabic conversation, and a crisis must never be missed for that.
    """

    def __init__(self, *, crisis: Iterable[str], exploitation: Iterable[str], not_crisis: Iterable[str]) -> None:
        self._crisis = _PhraseSet(crisis)
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

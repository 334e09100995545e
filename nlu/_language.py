"""Which of our seven languages a short, informal message is written in.

Script first (Ge'ez is Tigrinya; Arabic script is Arabic, Dari or Pashto; Latin script is Swedish,
English or Somali), then letters and common words that only one language uses, then the Lingua
library's statistical models for the choice it does best (sv/en/so, ar/fa).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_GEEZ = re.compile(r"[\u1200-\u139F\u2D80-\u2DDF\uAB00-\uAB2F]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_WORD = re.compile(r"[^\W\d_]+")

_PASHTO_LETTERS = frozenset("ټډړږښګڼۍېځڅ")
_PASHTO_WORDS = frozenset({
    "زه", "ته", "یم", "یې", "دې", "دی", "د", "کې", "سره", "څه", "ولې", "مې", "په", "دا", "زما", "ستا", "راته", "درته",
    "ورته", "اوس", "پوه", "شته", "لرم", "دلته", "تاسو", "مونږ", "وروره", "غواړم", "کړم", "وکړم",
})
_DARI_WORDS = frozenset({"می", "است", "استم", "هستم", "را", "چی", "چه", "کنم", "میخواهم", "نمی", "برای", "که", "از", "شما", "مه"})
_ARABIC_ONLY_LETTERS = frozenset("ةيكىئ")
_PERSIAN_ONLY_LETTERS = frozenset("پچژگیک")
# Arabic written in Latin letters ("bdi mot", "3ndi mshkle"): digits stand for Arabic sounds.
# Not 2 and 8: "2day" and "gr8" are English.
_ARABIZI = re.compile(r"\b[a-z]*[3579][a-z]{2,}|\b[a-z]{2,}[3579]\b", re.IGNORECASE)

_LATIN_LANGUAGES = {Language.SWEDISH: "sv", Language.ENGLISH: "en", Language.SOMALI: "so"}
_ARABIC_LANGUAGES = {Language.ARABIC: "ar", Language.PERSIAN: "fa-AF"}


@dataclass(frozen=True)
class LanguageGuess:
    """A language and how sure we are (0..1)."""

    language: str
    confidence: float


def _detector(languages: Sequence[Language]) -> LanguageDetector:
    """Lingua's low-accuracy mode (trigram models only): about 130 MB less memory per process than the
    high-accuracy models, for a small loss on short messages (held-out language ID 99.5 % → 98.7 %;
    docs/benchmarks.md). The script and word rules above decide most messages before lingua does."""
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().with_preloaded_language_models().build()


class LanguageIdentifier:
    """Guesses the language of a message; None when there is too little to go on."""

    @cached_property
    def _latin(self) -> LanguageDetector:
        return _detector(_LATIN_LANGUAGES)

    @cached_property
    def _arabic(self) -> LanguageDetector:
        return _detector(_ARABIC_LANGUAGES)

    def identify(self, text: str) -> LanguageGuess | None:
        """The likeliest language of `text`, by its dominant script."""
        geez, arabic, latin = len(_GEEZ.findall(text)), len(_ARABIC_SCRIPT.findall(text)), len(_LATIN.findall(text))
        if not geez + arabic + latin:
            return None
        if geez >= max(arabic, latin):
            return LanguageGuess("ti", round(geez / (geez + arabic + latin), 3))
        if arabic >= latin:
            return self._arabic_script(text)
        if _ARABIZI.search(text):
            return LanguageGuess("ar", 0.6)
        return _best(self._latin, _LATIN_LANGUAGES, text)

    def _arabic_script(self, text: str) -> LanguageGuess:
        words = _WORD.findall(text)
        letters = set(text)
        pashto = len(letters & _PASHTO_LETTERS) * 2 + sum(word in _PASHTO_WORDS for word in words)
        dari_words = sum(word in _DARI_WORDS for word in words)
        if (pashto >= 2 and pashto > dari_words) or (pashto == 1 and dari_words == 0):
            return LanguageGuess("ps", round(min(1.0, 0.5 + 0.1 * pashto), 3))
        dari = len(letters & _PERSIAN_ONLY_LETTERS) + dari_words
        arabic = len(letters & _ARABIC_ONLY_LETTERS)
        guess = _best(self._arabic, _ARABIC_LANGUAGES, text)
        if dari > arabic and guess.language == "ar" and guess.confidence < 0.9:
            return LanguageGuess("fa-AF", 0.6)
        return guess


def _best(detector: LanguageDetector, languages: dict[Language, str], text: str) -> LanguageGuess:
    top = detector.compute_language_confidence_values(text)[0]
    return LanguageGuess(languages[top.language], round(top.value, 3))

"""One way to compare what people write: the same for example questions, city names and crisis phrases."""

import re
import unicodedata
from collections.abc import Iterable

# Arabic and Persian keyboards write the same letters with different code points; tatweel and
# zero-width joiners are decoration. Unify them so "أريد" = "اريد" and "ي" = "ی".
_ARABIC_SCRIPT_VARIANTS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ۀ": "ه", "ى": "ی", "ي": "ی", "ئ": "ی", "ك": "ک", "ؤ": "و",
    "ـ": None, "\u200d": None, "\u200c": " ",
}
# Pashto written on a Persian keyboard: the Pashto letters as the Persian ones people type instead.
_PASHTO_ON_PERSIAN_KEYBOARDS = {"ټ": "ت", "ډ": "د", "ړ": "ر", "ږ": "ژ", "ښ": "ش", "ګ": "گ", "ڼ": "ن", "ې": "ی", "ۍ": "ی"}
# Ge'ez script (Tigrinya): letters that sound alike, or that everyday writing spells either way, are
# one letter here in all their vowel orders: ሐ and ኀ = ሀ, ሠ = ሰ, ዐ = አ, ፀ = ጸ; and a first-order
# አ = ኣ (the Ethiopian and the Eritrean spelling of a word-initial "a").
_GEEZ_VARIANTS = {
    **{chr(0x1210 + order): chr(0x1200 + order) for order in range(8)},
    **{chr(0x1280 + order): chr(0x1200 + order) for order in range(8)},
    **{chr(0x1220 + order): chr(0x1230 + order) for order in range(8)},
    **{chr(0x12D0 + order): chr(0x12A0 + order) for order in range(1, 7)},
    **{chr(0x1340 + order): chr(0x1338 + order) for order in range(7)},
    "አ": "ኣ", "ዐ": "ኣ",
}
_LETTER_VARIANTS = str.maketrans({**_ARABIC_SCRIPT_VARIANTS, **_PASHTO_ON_PERSIAN_KEYBOARDS, **_GEEZ_VARIANTS})
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
_NOT_A_WORD = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    """Lower case, no accents or vowel marks, one form for Arabic-script and Ge'ez letter variants,
    repeated letters collapsed ("dieee" = "die"), punctuation as spaces, single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LETTER_VARIANTS)
    without_marks = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(_REPEATED_LETTER.sub(r"\1", _NOT_A_WORD.sub(" ", without_marks)).split())


def words_of(texts: Iterable[str]) -> set[str]:
    """Every normalised word of `texts`."""
    return {word for text in texts for word in normalise(text).split()}

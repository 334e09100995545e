"""One way to compare what people write: the same for example questions, city names and crisis phrases."""

import re
import unicodedata

# Arabic and Persian keyboards write the same letters with different code points; tatweel and
# zero-width joiners are decoration. Unify them so "أريد" = "اريد" and "ي" = "ی".
_LETTER_VARIANTS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ۀ": "ه", "ى": "ی", "ي": "ی", "ئ": "ی", "ك": "ک", "ؤ": "و",
    "ـ": None, "\u200d": None, "\u200c": " ",
})
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
_NOT_A_WORD = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    """Lower case, no accents or vowel marks, unified Arabic/Persian letters, repeated letters
    collapsed ("dieee" = "die"), punctuation as spaces, single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LETTER_VARIANTS)
    without_marks = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(_REPEATED_LETTER.sub(r"\1", _NOT_A_WORD.sub(" ", without_marks)).split())

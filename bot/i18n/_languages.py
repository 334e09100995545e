"""The seven languages of the support line, described by Babel."""

from functools import cache
from typing import Literal

from babel import Locale, negotiate_locale

LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "fa-AF", "ps", "so", "ti")
_OUR_CODES = {code.lower(): code for code in LANGUAGES}
"""Every language the support line speaks, in menu order."""

Direction = Literal["ltr", "rtl"]

# Young people whose phone says "fa" most likely read Dari, the only Persian we offer.
_ALIASES = {"fa": "fa-AF", "prs": "fa-AF"}


@cache
def babel_locale(language: str) -> Locale:
    """The Babel locale of one of our language codes (`fa-AF` -> `fa_AF`)."""
    return Locale.parse(language, sep="-")


@cache
def language_name(language: str) -> str:
    """The language's name in its own script, as its speakers write it ("دری", "ትግርኛ")."""
    locale = babel_locale(language)
    name = locale.languages.get(str(locale)) or locale.get_language_name() or language
    return name[:1].upper() + name[1:]


def text_direction(language: str) -> Direction:
    """`rtl` for Arabic, Dari and Pashto; `ltr` otherwise."""
    return "rtl" if babel_locale(language).text_direction == "rtl" else "ltr"


def negotiate_language(preferred: list[str]) -> str | None:
    """Our language that best matches a client's preferences (e.g. Telegram's `language_code`)."""
    tags = [tag.replace("_", "-") for tag in preferred if tag]
    with_base_languages = [part for tag in tags for part in (tag, tag.split("-")[0])]  # fa-IR -> also fa (-> fa-AF)
    match = negotiate_locale(with_base_languages, list(LANGUAGES), sep="-", aliases=_ALIASES)
    return _OUR_CODES.get(match.lower()) if match else None  # Babel answers in the client's spelling ("SV")

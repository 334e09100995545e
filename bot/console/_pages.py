"""The console's server-rendered pages, in Swedish or English (gettext domain `console`, via Babel)."""

from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, select_autoescape

CONSOLE_LANGUAGES = ("sv", "en")
"""English is the source text; Swedish is translated in locales/sv/LC_MESSAGES/console.po."""
LOCALES_DIR = Path(__file__).parent / "locales"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    with (LOCALES_DIR / language / "LC_MESSAGES" / "console.po").open("rb") as po:
        catalog = read_po(po, locale=language, domain="console")
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="console")


def _environment(language: str) -> Environment:
    environment = Environment(loader=PackageLoader("bot.console", "templates"), autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(_translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


_ENVIRONMENTS = {language: _environment(language) for language in CONSOLE_LANGUAGES}


def console_language(accept_language: str | None) -> str:
    """Swedish unless the browser prefers English."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in CONSOLE_LANGUAGES:
            return tag
    return "sv"


def render(template: str, *, language: str, **values: Any) -> str:
    """One page or fragment in the counsellor's language."""
    return _ENVIRONMENTS[language].get_template(template).render(language=language, **values)

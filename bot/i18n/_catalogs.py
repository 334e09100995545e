"""Interface strings (menus, prompts, errors) from gettext catalogs managed with Babel.

Message ids are symbolic (`menu.topics`); the English catalog holds the source text. Catalogs are
compiled in memory at start-up, so a fresh checkout needs no build step.
"""

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.i18n._languages import LANGUAGES, babel_locale

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def catalog_path(language: str, directory: Path = LOCALES_DIR) -> Path:
    """Where the `.po` file of `language` lives."""
    return directory / str(babel_locale(language)) / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compile(path: Path, language: str) -> Translations:
    with path.open("rb") as po:
        catalog = read_po(po, locale=str(babel_locale(language)), domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Catalogs:
    """Every language's interface strings, falling back to English for an untranslated one."""

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        source = _compile(catalog_path(SOURCE_LANGUAGE, directory), SOURCE_LANGUAGE)
        self._translations: dict[str, NullTranslations] = {}
        for language in LANGUAGES:
            translations = source if language == SOURCE_LANGUAGE else _compile(catalog_path(language, directory), language)
            if translations is not source:
                translations.add_fallback(source)
            self._translations[language] = translations

    def text(self, language: str, message_id: str, **values: object) -> str:
        """The string `message_id` in `language`, with `{name}` placeholders filled from `values`."""
        template = self._translations[language].gettext(message_id)
        return template.format(**values) if values else template

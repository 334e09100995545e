"""Languages, their names and directions (from Babel), and the interface-string catalogs."""

from bot.i18n._catalogs import Catalogs
from bot.i18n._languages import LANGUAGES, Direction, babel_locale, language_name, negotiate_language, text_direction

__all__ = ["LANGUAGES", "Catalogs", "Direction", "babel_locale", "language_name", "negotiate_language", "text_direction"]

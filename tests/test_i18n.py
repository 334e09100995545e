"""Languages from Babel, and gettext catalogs complete in all seven languages."""

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    Catalogs,
    babel_locale,
    language_name,
    negotiate_language,
    text_direction,
)
from bot.i18n._catalogs import catalog_path
from tests.conftest import ROOT

SOURCE = read_po(catalog_path("en").open("rb"))
MESSAGE_IDS = sorted(str(message.id) for message in SOURCE if message.id)
PLACEHOLDER = re.compile(r"\{\w+\}")
COMMAND = re.compile(r"/(?:start|language|human|forget|help)\b")


def test_language_names_are_in_their_own_script() -> None:
    assert [language_name(code) for code in LANGUAGES] == ["Svenska", "English", "العربية", "دری", "پښتو", "Soomaali", "ትግርኛ"]


def test_arabic_dari_and_pashto_are_right_to_left() -> None:
    assert {code: text_direction(code) for code in LANGUAGES} == {
        "sv": "ltr", "en": "ltr", "ar": "rtl", "fa-AF": "rtl", "ps": "rtl", "so": "ltr", "ti": "ltr",
    }


@pytest.mark.parametrize(("preferred", "expected"), [
    (["sv-SE"], "sv"), (["fa"], "fa-AF"), (["fa-IR"], "fa-AF"), (["ar-SY"], "ar"), (["ti-ER"], "ti"), (["de"], None), ([""], None),
])
def test_locale_negotiation(preferred: list[str], expected: str | None) -> None:
    assert negotiate_language(preferred) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_translates_every_message_with_the_same_placeholders(language: str) -> None:
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=str(babel_locale(language)))
    translated = {str(m.id): str(m.string) for m in catalog if m.id}
    assert sorted(translated) == MESSAGE_IDS
    for message in SOURCE:
        if not message.id:
            continue
        text = translated[str(message.id)]
        assert text.strip(), f"{language}: {message.id} is empty"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(str(message.string))), f"{language}: {message.id}"
        assert sorted(COMMAND.findall(text)) == sorted(COMMAND.findall(str(message.string))), f"{language}: {message.id}"
        if language != "en":
            assert text != str(message.string) or message.id == "source", f"{language}: {message.id} is not translated"


def test_machine_drafted_catalogs_are_marked_as_drafts() -> None:
    for language in ("ar", "fa-AF", "ps", "so", "ti"):
        assert catalog_path(language).read_text(encoding="utf-8").startswith("# Machine-drafted translation"), language


def test_catalogs_fill_placeholders() -> None:
    assert Catalogs().text("sv", "places.in_city", city="Malmö").endswith("Malmö")


def test_the_template_matches_the_message_ids_used_in_code(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run([ROOT / "scripts" / "extract-messages", template], cwd=ROOT, check=True, capture_output=True)
    extracted = sorted(str(m.id) for m in read_po(template.open("rb")) if m.id)
    assert extracted == MESSAGE_IDS


def test_every_console_string_has_a_swedish_translation(tmp_path: Path) -> None:
    template = tmp_path / "console.pot"
    subprocess.run([ROOT / "scripts" / "extract-console-messages", template], cwd=ROOT, check=True, capture_output=True)
    extracted = {str(m.id) for m in read_po(template.open("rb")) if m.id}
    swedish = {str(m.id): m.string for m in read_po((ROOT / "bot/console/locales/sv/LC_MESSAGES/console.po").open("rb")) if m.id}
    assert extracted and not [msgid for msgid in extracted if not swedish.get(msgid)]

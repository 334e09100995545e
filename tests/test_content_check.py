"""`supportline content check`: the shipped content passes; each kind of breakage is named at its line."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.content import check_content
from bot.i18n import LANGUAGES
from tests.conftest import CONTENT_DIR, ROOT


def _topic_yaml() -> str:
    """A valid extra topic, in every language; the breakages below are made in it."""
    lines = [
        "reviewed: 2026-11-25",
        "sources:",
        "  - title: Migrationsverket",
        "    url: https://www.migrationsverket.se/",
        "follow_ups: [legal_help]",
        "translations:",
    ]
    for language in LANGUAGES:
        lines += [
            f"  {language}:",
            "    status: draft",
            f"    title: Fixture {language}",
            "    answer: |",
            f"      A short *answer* in {language}.",
            "    examples:",
            *[f"      - fixture question {language} number {n}" for n in range(8)],
        ]
    return "\n".join(lines) + "\n"


def _place_yaml() -> str:
    """A valid extra place; the breakages below are made in it."""
    lines = [
        "name: Fixture place",
        "organisation: Fixture organisation",
        "city: stockholm",
        "county: Stockholms län",
        "address: Fixturegatan 1, Stockholm",
        "coordinates: {lat: 59.33, lon: 18.06}",
        "opening_hours:",
        "  - days: [mon, tue]",
        '    opens: "10:00"',
        '    closes: "16:00"',
        "languages: [sv, en]",
        "anonymous: true",
        "source: https://www.example.org/",
        "reviewed: 2026-11-25",
        "translations:",
    ]
    for language in LANGUAGES:
        lines += [f"  {language}:", "    status: draft", f"    description: A fixture place, {language}."]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Breakage:
    """One way to break content: replace `old` with `new` in a file; expect `message` at the first line
    holding `marker` (at or after the line holding `after`)."""

    name: str
    file: str
    old: str
    new: str
    message: str
    marker: str
    after: str = ""


TOPIC = "topics/fixture_topic.yml"
PLACE = "places/fixture_place.yml"

BREAKAGES = [
    Breakage("missing language", TOPIC, "  ps:\n", "  pashto:\n", "unknown language 'pashto'; missing language 'ps'", "translations:"),
    Breakage("unknown follow-up", TOPIC, "follow_ups: [legal_help]", "follow_ups: [legal_help, no_such_topic]",
             "unknown follow-up topic 'no_such_topic'", "follow_ups:"),
    Breakage("answer too long", TOPIC, "      A short *answer* in en.", "      " + "x" * 901, "answer is 901 characters long (at most 900)", "answer: |", after="  en:"),
    Breakage("bad URL", TOPIC, "url: https://www.migrationsverket.se/", "url: www.migrationsverket.se", "bad URL 'www.migrationsverket.se'", "url: www."),
    Breakage("same example under two topics", TOPIC, "fixture question ti number 3", "jag fick avslag",
             "the same example 'jag fick avslag' is also under 'rejection_next_steps'", "- jag fick avslag"),
    Breakage("invalid opening hours", PLACE, 'closes: "16:00"', 'closes: "09:00"', "invalid opening hours: closes at 09:00, not after it opens at 10:00", "  - days: [mon, tue]"),
    Breakage("opening hours not a time", PLACE, 'opens: "10:00"', 'opens: "25:61"', "invalid opening hours: '25:61' is not a time", 'opens: "25:61"'),
    Breakage("unknown key", TOPIC, "    status: draft\n    title: Fixture sv", "    status: draft\n    answr: typo\n    title: Fixture sv", "unknown key 'answr'", "answr: typo"),
    Breakage("too few examples", TOPIC, "      - fixture question fa-AF number 7\n", "", "examples has 7 entries (at least 8)", "examples:", after="  fa-AF:"),
    Breakage("title too long", TOPIC, "title: Fixture en", "title: " + "T" * 41, "title is 41 characters long (at most 40)", "T" * 41),
    Breakage("example read as a command", TOPIC, "- fixture question en number 2", "- /forget fixture question en number 2",
             "starts with '/': it is read as a command", "- /forget fixture"),
    Breakage("unbalanced bold", TOPIC, "A short *answer* in sv.", "A short *answer in sv.", "unbalanced '*'", "answer: |", after="  sv:"),
    Breakage("bad status", TOPIC, "  ar:\n    status: draft", "  ar:\n    status: done", "status: Input should be 'reviewed' or 'draft'", "status: done"),
    Breakage("unknown city", PLACE, "city: stockholm", "city: atlantis", "unknown city 'atlantis'", "city: atlantis"),
    Breakage("coordinates outside Sweden", PLACE, "lat: 59.33", "lat: 12.0", "lat: Input should be greater than or equal to 55", "coordinates:"),
    Breakage("invalid YAML", TOPIC, "follow_ups: [legal_help]", "follow_ups: [legal_help", "invalid YAML", "translations:"),
    Breakage("bad date", TOPIC, "reviewed: 2026-11-25", "reviewed: last week", "reviewed: Input should be a valid date", "reviewed:"),
]


def _content_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, directory)
    (directory / TOPIC).write_text(_topic_yaml(), encoding="utf-8")
    (directory / PLACE).write_text(_place_yaml(), encoding="utf-8")
    return directory


def test_shipped_content_passes() -> None:
    assert [str(problem) for problem in check_content(CONTENT_DIR)] == []


def test_fixtures_are_valid_before_they_are_broken(tmp_path: Path) -> None:
    assert [str(problem) for problem in check_content(_content_copy(tmp_path))] == []


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_each_breakage_is_reported_at_its_line(tmp_path: Path, breakage: Breakage) -> None:
    directory = _content_copy(tmp_path)
    file = directory / breakage.file
    text = file.read_text(encoding="utf-8")
    assert breakage.old in text
    broken = text.replace(breakage.old, breakage.new, 1)
    file.write_text(broken, encoding="utf-8")
    lines = broken.splitlines()
    start = next(number for number, line in enumerate(lines) if breakage.after in line)
    expected_line = next(number for number, line in enumerate(lines[start:], start + 1) if breakage.marker in line)

    problems = [p for p in check_content(directory) if p.file == file]

    assert any(breakage.message in p.message and p.line == expected_line for p in problems), [str(p) for p in problems]


def test_safety_and_out_of_scope_breakages_are_reported(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    (directory / "safety" / "ps.yml").rename(directory / "safety" / "pashto.yml")
    safety_en = directory / "safety" / "en.yml"
    safety_en.write_text(safety_en.read_text(encoding="utf-8").replace("  - want to die\n", "  - '!!!'\n  - want to die\n", 1), encoding="utf-8")
    out_of_scope = directory / "out_of_scope.yml"
    out_of_scope.write_text(out_of_scope.read_text(encoding="utf-8").replace("  sv:\n", "  sv:\n    - jag fick avslag\n", 1), encoding="utf-8")

    messages = [str(problem) for problem in check_content(directory)]

    assert f"{directory / 'safety' / 'ps.yml'}:1: file missing" in messages
    assert any(m.startswith(f"{directory / 'safety' / 'pashto.yml'}:1: unknown language 'pashto'") for m in messages)
    line = safety_en.read_text(encoding="utf-8").splitlines().index("  - '!!!'") + 1
    assert f"{safety_en}:{line}: phrase '!!!' has no letters left after normalising" in messages
    line = out_of_scope.read_text(encoding="utf-8").splitlines().index("    - jag fick avslag") + 1
    assert any(m.startswith(f"{out_of_scope}:{line}: the same example 'jag fick avslag' is also under 'rejection_next_steps'") for m in messages)


def test_a_topic_may_not_take_the_out_of_scope_name(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    (directory / TOPIC).rename(directory / "topics" / "out_of_scope.yml")
    messages = [str(problem) for problem in check_content(directory)]
    assert f"{directory / 'topics' / 'out_of_scope.yml'}:1: 'out_of_scope' is reserved for out_of_scope.yml: rename this topic" in messages


def test_a_missing_required_topic_is_reported(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    (directory / "topics" / "crisis.yml").unlink()
    messages = [str(problem) for problem in check_content(directory)]
    assert f"{directory / 'topics' / 'crisis.yml'}:1: missing topic 'crisis': every support line needs it" in messages


def test_the_command_prints_file_line_messages_and_fails(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    (directory / TOPIC).write_text(_topic_yaml().replace("url: https://", "url: ftp://"), encoding="utf-8")
    env = {**os.environ, "CONTENT_DIR": str(directory)}

    result = subprocess.run([ROOT / ".venv" / "bin" / "supportline", "content", "check"], capture_output=True, text=True, env=env)

    assert result.returncode == 1
    assert re.search(rf"^{re.escape(str(directory / TOPIC))}:4: bad URL 'ftp://www.migrationsverket.se/'", result.stdout, re.M), result.stdout


def test_the_command_passes_on_shipped_content() -> None:
    result = subprocess.run([ROOT / ".venv" / "bin" / "supportline", "content", "check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert "content OK" in result.stdout

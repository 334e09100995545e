"""`supportline content report|preview`: editors see what to work on next, and an answer as a young person sees it."""

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content import check_content, load_content
from bot.content._report import a_year_before
from bot.i18n import Catalogs
from bot.cli._preview import POP_DIRECTIONAL_FORMATTING, RIGHT_TO_LEFT_EMBEDDING
from tests.conftest import CONTENT_DIR, ROOT, free_port

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")
TODAY = "2026-11-26"


def _run(*args: str, content_dir: Path = CONTENT_DIR, rasa_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command; Rasa at `rasa_url`, or at a port where nothing listens."""
    env = {**os.environ, "CONTENT_DIR": str(content_dir), "RASA_URL": rasa_url or f"http://127.0.0.1:{free_port()}"}
    return subprocess.run([SUPPORTLINE, "content", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)


def _content_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, directory)
    return directory


def _edit(file: Path, change: Any) -> None:
    """Load a YAML file, let `change` modify the data, write it back."""
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _section(output: str, number: int) -> str:
    """The text of report section `number` (up to the next one)."""
    match = re.search(rf"^{number}\. .*?(?=^{number + 1}\. |\Z)", output, re.M | re.S)
    assert match, output
    return match.group(0)


def _row(section: str, first_cell: str) -> list[str]:
    return next(line.split() for line in section.splitlines() if line.split()[:1] == [first_cell])


def test_the_report_names_what_editors_must_fix(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    _edit(directory / "topics" / "healthcare.yml", lambda d: d.update(reviewed=date(2024, 3, 1)))
    _edit(directory / "topics" / "rights.yml", lambda d: d.update(reviewed=date(2025, 11, 25)))  # a year and a day: old
    _edit(directory / "topics" / "school.yml", lambda d: d.update(reviewed=date(2025, 11, 26)))  # exactly a year: not yet
    _edit(directory / "topics" / "school.yml", lambda d: d["translations"].pop("ps"))
    _edit(directory / "topics" / "guardian.yml", lambda d: d["translations"]["fa-AF"].update(examples=d["translations"]["fa-AF"]["examples"][:8]))
    place = sorted((directory / "places").glob("*.yml"))[0]
    _edit(place, lambda d: d.update(reviewed=date(2023, 5, 2)))
    (directory / "topics" / "legal_help.yml").write_text("reviewed: [2026-11-25\n", encoding="utf-8")

    result = _run("report", "--today", TODAY, content_dir=directory)

    assert result.returncode == 3, result.stderr
    out = result.stdout
    assert re.search(r"^content check: \d+ problem\(s\)", out, re.M)
    translations = _section(out, 1)
    assert _row(translations, "school") == ["school", "R", "R", "d", "d", "-", "d", "d"]
    assert _row(translations, "legal_help") == ["legal_help", *["?"] * 7]
    assert "missing: school (ps)" in translations
    assert "unreadable: legal_help (sv, en, ar, fa-AF, ps, so, ti)" in translations
    assert _row(translations, place.stem) == [place.stem, "R", "R", "d", "d", "d", "d", "d"]
    stale = _section(out, 2)
    assert "before 2025-11-26" in stale
    assert _row(stale, "healthcare") == ["healthcare", "2024-03-01"]
    assert _row(stale, "rights") == ["rights", "2025-11-25"]
    assert _row(stale, place.stem) == [place.stem, "2023-05-02"]
    assert _row(stale, "legal_help") == ["legal_help", "no", "readable", "date"]
    assert "school" not in stale and "age_assessment" not in stale
    few = _section(out, 3)
    assert _row(few, "guardian") == ["guardian", "fa-AF", "8"]
    assert len([line for line in few.splitlines() if line.split()[:1] in (["guardian"], ["school"], ["healthcare"])]) == 1
    model = _section(out, 4)
    assert "NOT CHECKED: Rasa at http://127.0.0.1:" in model and "is not reachable" in model


def test_the_report_on_good_content_without_rasa_still_prints_every_section() -> None:
    result = _run("report", "--today", TODAY)
    assert result.returncode == 3
    assert "content check: OK" in result.stdout
    assert [_section(result.stdout, n).splitlines()[0][:3] for n in (1, 2, 3, 4)] == ["1. ", "2. ", "3. ", "4. "]
    assert "topics: none" in _section(result.stdout, 2)
    assert "not reachable" in _section(result.stdout, 4)


def test_the_report_lists_an_example_the_model_takes_for_another_topic(tmp_path: Path, rasa_url: str) -> None:
    """The model was trained with this Swedish school question under `school`; filed under
    `healthcare` here, the bot still answers it with school, and the report says so."""
    directory = _content_copy(tmp_path)
    moved = yaml.safe_load((CONTENT_DIR / "topics" / "school.yml").read_text(encoding="utf-8"))["translations"]["sv"]["examples"][8]

    def first_eight(data: dict[str, Any]) -> None:  # fewer examples to ask about: a faster test
        for text in data["translations"].values():
            text["examples"] = text["examples"][:8]

    for file in (directory / "topics").glob("*.yml"):
        _edit(file, first_eight)
    _edit(directory / "out_of_scope.yml", lambda d: d.update(examples={language: examples[:8] for language, examples in d["examples"].items()}))
    _edit(directory / "topics" / "healthcare.yml", lambda d: d["translations"]["sv"]["examples"].append(moved))
    content = load_content(directory)
    total = sum(len(t.examples) for topic in content.topics.values() for t in topic.translations.values()) + sum(map(len, content.out_of_scope.values()))

    result = _run("report", "--today", TODAY, content_dir=directory, rasa_url=rasa_url)

    assert result.returncode == 0, result.stdout + result.stderr
    model = _section(result.stdout, 4)
    assert re.search(rf"^model: nlu-\w+\.tar\.gz served by Rasa at {re.escape(rasa_url)}; \d+ of {total} examples wrong$", model, re.M), model
    row = next(line for line in model.splitlines() if line.endswith(moved))
    assert row.split()[:3] == ["sv", "healthcare", "school"]
    assert 0 < float(row.split()[3]) <= 1


def test_preview_in_swedish_is_the_answer_with_its_buttons_left_to_right() -> None:
    result = _run("preview", "healthcare", "--lang", "sv")
    assert result.returncode == 0, result.stderr
    topic = load_content(CONTENT_DIR).topics["healthcare"]
    lines = result.stdout.splitlines()
    assert lines[0] == "Preview of 'healthcare' in sv: reviewed, facts reviewed 2026-11-25"
    assert "\n".join(lines[2:]).startswith(topic.translations["sv"].answer)
    assert any(line.startswith(Catalogs().text("sv", "source") + ": [") for line in lines)
    assert f"[1] {load_content(CONTENT_DIR).topics[topic.follow_ups[0]].translations['sv'].title}" in lines
    assert RIGHT_TO_LEFT_EMBEDDING not in result.stdout and POP_DIRECTIONAL_FORMATTING not in result.stdout


def test_preview_in_arabic_marks_every_line_right_to_left_and_writes_the_web_chat_page(tmp_path: Path) -> None:
    page = tmp_path / "preview.html"
    result = _run("preview", "healthcare", "--lang", "ar", "--html", str(page))
    assert result.returncode == 0, result.stderr
    answer = load_content(CONTENT_DIR).topics["healthcare"].translations["ar"].answer
    lines = result.stdout.splitlines()
    assert "DRAFT" in lines[0] and lines[-1] == f"wrote {page}"
    message = lines[2:-2]
    assert all(line.startswith(RIGHT_TO_LEFT_EMBEDDING) and line.endswith(POP_DIRECTIONAL_FORMATTING) for line in message if line)
    assert message[0] == RIGHT_TO_LEFT_EMBEDDING + answer.splitlines()[0] + POP_DIRECTIONAL_FORMATTING
    assert any(line.startswith(RIGHT_TO_LEFT_EMBEDDING + Catalogs().text("ar", "source") + ": [") for line in message)
    html = page.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert ".from-bot" in html and "<link" not in html and "<script" not in html
    assert f"<strong>{answer.split('*')[1]}</strong>" in html
    assert '<a href="https://' in html and "](https://" not in html


def test_preview_of_an_unknown_topic_or_language_lists_the_valid_ones() -> None:
    unknown_topic = _run("preview", "no_such_topic", "--lang", "sv")
    assert unknown_topic.returncode == 2
    assert "unknown topic 'no_such_topic'" in unknown_topic.stderr
    assert all(topic_id in unknown_topic.stderr for topic_id in load_content(CONTENT_DIR).topics)
    unknown_language = _run("preview", "healthcare", "--lang", "de")
    assert unknown_language.returncode == 2
    assert "invalid choice: 'de'" in unknown_language.stderr and "'fa-AF'" in unknown_language.stderr


def test_a_year_before_a_leap_day_is_the_28th() -> None:
    assert a_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert a_year_before(date(2026, 11, 26)) == date(2025, 11, 26)


def test_an_impossible_date_is_a_problem_and_an_unreadable_row_not_a_crash(tmp_path: Path) -> None:
    directory = _content_copy(tmp_path)
    school = directory / "topics" / "school.yml"
    school.write_text(school.read_text(encoding="utf-8").replace("reviewed: 2026-11-25", "reviewed: 2026-13-01", 1), encoding="utf-8")
    assert [str(p) for p in check_content(directory)] == [f"{school}:1: invalid value: month must be in 1..12 (dates are YYYY-MM-DD and must exist)"]
    result = _run("report", "--today", TODAY, content_dir=directory)
    assert result.returncode == 3
    assert _row(_section(result.stdout, 1), "school") == ["school", *["?"] * 7]

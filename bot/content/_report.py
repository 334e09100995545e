"""`supportline content report`: what editors should look at next — missing and draft translations,
facts not reviewed for a year, topics with few example questions, and examples the model gets wrong.

The files are read leniently, not through the checker's schema: an editor halfway through a
translation (a missing language is a `content check` error) still sees where every topic stands.
"""

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from bot.content._loader import OUT_OF_SCOPE, check_content
from bot.content._yaml import Document, read_document
from bot.core.text_tables import aligned, ruled
from bot.i18n import LANGUAGES

FEW_EXAMPLES = 10
"""A language with fewer example questions than this is listed: `content check` demands 8, but the
model learns a topic noticeably better from 10 or more ways of asking."""
MISSING = "missing"
UNREADABLE = "unreadable"
NOT_UNDERSTOOD = "(no topic)"
"""What the bot did with a message it was not confident about: it offered choices instead of an answer."""
_MARKS = {"reviewed": "R", "draft": "d", MISSING: "-", UNREADABLE: "?"}


@dataclass(frozen=True)
class Entry:
    """One topic or place file, as far as it can be read."""

    entry_id: str
    reviewed: date | None
    """None when the file has no readable `reviewed` date."""
    statuses: dict[str, str]
    """Per language: `reviewed`, `draft`, `missing` or `unreadable` (none for out_of_scope.yml, which has no status)."""
    examples: dict[str, tuple[str, ...]]
    """Per language that has a text, its example questions (topics and out_of_scope.yml only)."""


@dataclass(frozen=True)
class Survey:
    """Everything the report says about the files, before asking the model anything."""

    directory: Path
    problems: int
    """How many problems `content check` finds."""
    topics: tuple[Entry, ...]
    places: tuple[Entry, ...]
    out_of_scope: Entry | None

    def example_owners(self) -> list[Entry]:
        """The topics, then out_of_scope.yml: everything the model learns an intent from."""
        return [*self.topics, *([self.out_of_scope] if self.out_of_scope else [])]

    def training_examples(self) -> list[tuple[str, str, str]]:
        """(language, expected topic, example) for every example the model is trained on."""
        return [(language, entry.entry_id, example) for entry in self.example_owners() for language, examples in entry.examples.items() for example in examples]


def survey(directory: Path) -> Survey:
    """Read every topic and place under `directory`, whatever `content check` thinks of them."""
    topics = tuple(_entry(file, _topic_texts) for file in sorted((directory / "topics").glob("*.yml")))
    places = tuple(_entry(file, _place_texts) for file in sorted((directory / "places").glob("*.yml")))
    out_of_scope_file = directory / "out_of_scope.yml"
    out_of_scope = _entry(out_of_scope_file, _out_of_scope_texts, entry_id=OUT_OF_SCOPE) if out_of_scope_file.exists() else None
    return Survey(directory, len(check_content(directory)), topics, places, out_of_scope)


Texts = tuple[dict[str, str], dict[str, tuple[str, ...]]]


def _entry(file: Path, texts: Callable[[dict[str, Any]], Texts], *, entry_id: str | None = None) -> Entry:
    document = read_document(file)
    data = document.data if isinstance(document, Document) and isinstance(document.data, dict) else None
    if data is None:
        return Entry(entry_id or file.stem, None, dict.fromkeys(LANGUAGES, UNREADABLE), {})
    statuses, examples = texts(data)
    reviewed = data.get("reviewed")
    return Entry(entry_id or file.stem, reviewed if isinstance(reviewed, date) else None, statuses, examples)


def _topic_texts(data: dict[str, Any]) -> Texts:
    translations = _mapping(data.get("translations"))
    examples = {language: _strings(_mapping(translations.get(language)).get("examples")) for language in LANGUAGES if language in translations}
    return _statuses(translations), examples


def _place_texts(data: dict[str, Any]) -> Texts:
    return _statuses(_mapping(data.get("translations"))), {}


def _out_of_scope_texts(data: dict[str, Any]) -> Texts:
    examples = _mapping(data.get("examples"))
    return {}, {language: _strings(examples[language]) for language in LANGUAGES if language in examples}


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _statuses(translations: dict[str, Any]) -> dict[str, str]:
    statuses = {}
    for language in LANGUAGES:
        status = _mapping(translations.get(language)).get("status")
        statuses[language] = MISSING if language not in translations else status if status in ("reviewed", "draft") else UNREADABLE
    return statuses


class Understood(Protocol):
    """What the report needs of the bot's understanding of a message (`bot.conversation.Understanding`,
    which this package cannot import: the conversation core imports content)."""

    @property
    def topic(self) -> str | None: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def out_of_scope(self) -> bool: ...
    @property
    def nlu_available(self) -> bool: ...


Understand = Callable[[str], Awaitable[Understood]]


@dataclass(frozen=True)
class Miss:
    """A training example the bot does not take for its own topic."""

    language: str
    expected: str
    predicted: str
    confidence: float | None
    example: str


@dataclass(frozen=True)
class ModelCheck:
    """The examples run through the bot's understanding, or why they could not be."""

    model: str
    """Which model answered (or which Rasa was asked)."""
    checked: int = 0
    misses: tuple[Miss, ...] = ()
    unavailable: str | None = None


async def check_examples(examples: Sequence[tuple[str, str, str]], understand: Understand, *, model: str) -> ModelCheck:
    """Ask `understand` (the bot's own path) about every (language, expected topic, example); stop,
    saying so, if the model stops answering."""
    misses = []
    for checked, (language, expected, example) in enumerate(examples):
        understood = await understand(example)
        if not understood.nlu_available:
            return ModelCheck(model, checked, tuple(misses), unavailable=f"{model} stopped answering after {checked} of {len(examples)} examples")
        predicted = OUT_OF_SCOPE if understood.out_of_scope else understood.topic or NOT_UNDERSTOOD
        if predicted != expected:
            misses.append(Miss(language, expected, predicted, understood.confidence, example))
    return ModelCheck(model, len(examples), tuple(misses))


def a_year_before(today: date) -> date:
    """The same day a year earlier (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def render_report(found: Survey, model: ModelCheck, *, today: date) -> str:
    """The whole report as plain text, one numbered section after another."""
    if found.problems:
        check = f"{found.problems} problem(s): run `supportline content check` to see them"
    else:
        check = "OK"
    sections = [
        f"Content report for {found.directory} on {today.isoformat()}\ncontent check: {check}",
        _translations(found),
        _stale(found, today),
        _few_examples(found),
        _model_section(model),
    ]
    return "\n\n".join(sections) + "\n"


def _heading(number: int, title: str) -> str:
    return f"{number}. {title}\n" + "=" * (len(title) + 3)


def _table(rows: Iterable[Sequence[str]], header: Sequence[str]) -> list[str]:
    return ruled(aligned([list(header), *map(list, rows)]))


def _status_table(entries: Sequence[Entry], kind: str) -> list[str]:
    rows = [[entry.entry_id, *(_MARKS[entry.statuses[language]] for language in LANGUAGES)] for entry in entries]
    lines = _table(rows, [kind, *LANGUAGES])
    for status in (MISSING, UNREADABLE):
        gaps = [f"{entry.entry_id} ({', '.join(l for l in LANGUAGES if entry.statuses[l] == status)})" for entry in entries if status in entry.statuses.values()]
        if gaps:
            lines.append(f"{status}: " + "; ".join(gaps))
    counts = Counter(status for entry in entries for status in entry.statuses.values())
    lines.append(f"{counts['reviewed']} of {len(entries) * len(LANGUAGES)} texts reviewed, {counts['draft']} draft, {counts[MISSING]} missing")
    return lines


def _translations(found: Survey) -> str:
    lines = [_heading(1, "Translations"), "R reviewed by a fluent speaker, d draft (not yet reviewed), - missing, ? unreadable", ""]
    lines += _status_table(found.topics, "topic")
    lines += ["", *_status_table(found.places, "place")]
    return "\n".join(lines)


def _stale(found: Survey, today: date) -> str:
    cutoff = a_year_before(today)
    lines = [_heading(2, "Reviewed more than 12 months ago"), f"Facts last checked before {cutoff.isoformat()}: check them against their sources and update `reviewed`.", ""]
    for kind, entries in (("topics", found.topics), ("places", found.places)):
        old = [(entry.entry_id, entry.reviewed.isoformat() if entry.reviewed else "no readable date") for entry in entries if entry.reviewed is None or entry.reviewed < cutoff]
        lines += [f"{kind}: none"] if not old else [f"{kind}:", *(f"  {line}" for line in _table(old, ["id", "reviewed"]))]
    return "\n".join(lines)


def _few_examples(found: Survey) -> str:
    few = [[entry.entry_id, language, str(len(examples))] for entry in found.example_owners() for language, examples in entry.examples.items() if len(examples) < FEW_EXAMPLES]
    lines = [_heading(3, f"Few example questions (fewer than {FEW_EXAMPLES} in a language)"),
             "Add ways young people really ask: the bot learns each topic from them (`content check` demands at least 8).", ""]
    lines += _table(few, ["topic", "language", "examples"]) if few else ["none"]
    return "\n".join(lines)


def _model_section(model: ModelCheck) -> str:
    lines = [_heading(4, "Example questions the model gets wrong"),
             "Each example is run through the bot's own understanding; listed when the bot would not answer it with its own topic.",
             f"{NOT_UNDERSTOOD}: the bot was not sure and would have offered choices. Reword or remove the example, or add clearer ones.", ""]
    if model.unavailable is not None:
        lines.append(f"NOT CHECKED: {model.unavailable}.")
        if not model.checked:
            return "\n".join(lines)
    lines.append(f"model: {model.model}; {len(model.misses)} of {model.checked} examples wrong")
    if model.misses:
        rows = [[m.language, m.expected, m.predicted, "-" if m.confidence is None else f"{m.confidence:.2f}", m.example] for m in model.misses]
        lines += ["", *_table(rows, ["language", "expected", "predicted", "confidence", "example"])]
    return "\n".join(lines)

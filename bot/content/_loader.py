"""Reading `content/` into a `Content`, or into the list of everything wrong with it."""

import hashlib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.content._model import CRISIS_TOPIC, REQUIRED_TOPICS, Content
from bot.content._normalise import normalise, words_of
from bot.content._safety import SafetyNet
from bot.content._schema import ID_PATTERN, City, Menu, OutOfScope, Place, SafetyList, Topic
from bot.content._yaml import Document, Problem, read_document
from bot.core.errors import ContentError
from bot.i18n import LANGUAGES

OUT_OF_SCOPE = "out_of_scope"

M = TypeVar("M", bound=BaseModel)


def content_files(directory: Path) -> list[Path]:
    """Every content file, in a stable order."""
    return sorted([*directory.glob("*/*.yml"), *directory.glob("*.yml")])


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: name, size and modification time of every content file."""
    stats = []
    for file in content_files(directory):
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        stats.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


def _ordinary_words(topics: dict[str, tuple[Document, Topic]], out_of_scope: OutOfScope | None) -> set[str]:
    """Every word of the example questions that are no crisis: the crisis net never reads one of them as a misspelt crisis word."""
    examples = [e for topic_id, (_, topic) in topics.items() if topic_id != CRISIS_TOPIC for text in topic.translations.values() for e in text.examples]
    examples += [e for language_examples in (out_of_scope.examples.values() if out_of_scope else ()) for e in language_examples]
    return words_of(examples)


def check_content(directory: Path) -> list[Problem]:
    """Every problem in the content under `directory` (empty when it is all good)."""
    return _Loader(directory).run()[1]


def load_content(directory: Path) -> Content:
    """The content under `directory`; raises `ContentError` listing every problem."""
    content, problems = _Loader(directory).run()
    if problems or content is None:
        raise ContentError([str(problem) for problem in problems])
    return content


class _Loader:
    """One pass over the content directory, collecting problems instead of stopping at the first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def run(self) -> tuple[Content | None, list[Problem]]:
        if not self.directory.is_dir():
            return None, [Problem(self.directory, 1, "content folder not found")]
        topics = self._load_folder("topics", Topic)
        places = self._load_folder("places", Place)
        cities_doc, cities = self._load_mapping("cities.yml", City)
        menu_doc, menu = self._load_single("menu.yml", Menu)
        out_of_scope_doc, out_of_scope = self._load_single("out_of_scope.yml", OutOfScope)
        safety = self._load_safety(ordinary_words=_ordinary_words(topics, out_of_scope))
        self._check_examples(topics, out_of_scope_doc, out_of_scope)
        self._check_topic_ids(topics)
        self._check_places(places, cities)
        if menu_doc and menu:
            for index, topic_id in enumerate(menu.topics):
                if topic_id not in topics:
                    self.problems.append(menu_doc.problem(("topics", index), f"unknown topic {topic_id!r}"))
        if self.problems or menu is None or cities_doc is None or out_of_scope is None or safety is None:
            return None, sorted(self.problems, key=lambda p: (str(p.file), p.line))
        content = Content(
            topics={topic_id: topic for topic_id, (_, topic) in topics.items()},
            places={place_id: place for place_id, (_, place) in places.items()},
            cities=cities,
            menu=tuple(menu.topics),
            safety=safety,
            out_of_scope={language: tuple(examples) for language, examples in out_of_scope.examples.items()},
            version=self._version(),
        )
        return content, []

    def _read(self, file: Path) -> Document | None:
        document = read_document(file)
        if isinstance(document, Problem):
            self.problems.append(document)
            return None
        return document

    def _validate(self, document: Document, model: type[M], data: Any, prefix: tuple[str | int, ...] = ()) -> M | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = (*prefix, *error["loc"])
                self.problems.append(document.problem(loc, _message(error)))
            return None

    def _load_folder(self, folder: str, model: type[M]) -> dict[str, tuple[Document, M]]:
        loaded: dict[str, tuple[Document, M]] = {}
        for file in sorted((self.directory / folder).glob("*.yml")):
            document = self._read(file)
            if document is None:
                continue
            if not ID_PATTERN.match(file.stem):
                self.problems.append(document.problem((), f"file name {file.stem!r} must be lowercase letters, digits and _"))
                continue
            item = self._validate(document, model, document.data)
            if item is not None:
                loaded[file.stem] = (document, item)
        return loaded

    def _read_named(self, name: str) -> Document | None:
        path = self.directory / name
        if not path.exists():
            self.problems.append(Problem(path, 1, "file missing"))
            return None
        return self._read(path)

    def _load_single(self, name: str, model: type[M]) -> tuple[Document | None, M | None]:
        document = self._read_named(name)
        return document, self._validate(document, model, document.data) if document else None

    def _load_mapping(self, name: str, model: type[M]) -> tuple[Document | None, dict[str, M]]:
        document = self._read_named(name)
        items: dict[str, M] = {}
        if document is None:
            return None, items
        if not isinstance(document.data, dict):
            self.problems.append(document.problem((), "must map each id to its entry"))
            return document, items
        for key, data in document.data.items():
            if not isinstance(key, str) or not ID_PATTERN.match(key):
                self.problems.append(document.problem((str(key),), f"id {key!r} must be lowercase letters, digits and _"))
                continue
            item = self._validate(document, model, data, prefix=(key,))
            if item is not None:
                items[key] = item
        return document, items

    def _load_safety(self, *, ordinary_words: set[str]) -> SafetyNet | None:
        lists: list[SafetyList] = []
        for language in LANGUAGES:
            document = self._read_named(f"safety/{language}.yml")
            safety_list = self._validate(document, SafetyList, document.data) if document else None
            if document is None or safety_list is None:
                continue
            for kind in ("crisis", "exploitation", "not_crisis"):
                for index, phrase in enumerate(getattr(safety_list, kind)):
                    if not normalise(phrase):
                        self.problems.append(document.problem((kind, index), f"phrase {phrase!r} has no letters left after normalising"))
            lists.append(safety_list)
        for file in sorted((self.directory / "safety").glob("*.yml")):
            if file.stem not in LANGUAGES:
                self.problems.append(Problem(file, 1, f"unknown language {file.stem!r}: name safety files after a language ({', '.join(LANGUAGES)})"))
        if len(lists) < len(LANGUAGES):
            return None
        return SafetyNet(
            crisis=[p for l in lists for p in l.crisis],
            exploitation=[p for l in lists for p in l.exploitation],
            not_crisis=[p for l in lists for p in l.not_crisis],
            ordinary_words=ordinary_words,
        )

    def _check_topic_ids(self, topics: dict[str, tuple[Document, Topic]]) -> None:
        for topic_id in REQUIRED_TOPICS:
            if topic_id not in topics and not (self.directory / "topics" / f"{topic_id}.yml").exists():
                self.problems.append(Problem(self.directory / "topics" / f"{topic_id}.yml", 1, f"missing topic {topic_id!r}: every support line needs it"))
        if OUT_OF_SCOPE in topics:
            self.problems.append(topics[OUT_OF_SCOPE][0].problem((), f"{OUT_OF_SCOPE!r} is reserved for out_of_scope.yml: rename this topic"))
        for document, topic in topics.values():
            for index, follow_up in enumerate(topic.follow_ups):
                if follow_up not in topics and not (self.directory / "topics" / f"{follow_up}.yml").exists():
                    self.problems.append(document.problem(("follow_ups", index), f"unknown follow-up topic {follow_up!r}"))

    def _check_examples(self, topics: dict[str, tuple[Document, Topic]], out_of_scope_doc: Document | None, out_of_scope: OutOfScope | None) -> None:
        """An example may teach only one intent: the same example under two is reported at both places."""
        examples: list[tuple[str, Document, tuple[str | int, ...], str]] = [
            (topic_id, document, ("translations", language, "examples", index), example)
            for topic_id, (document, topic) in topics.items()
            for language, text in topic.translations.items()
            for index, example in enumerate(text.examples)
        ]
        if out_of_scope_doc is not None and out_of_scope is not None:
            examples += [
                (OUT_OF_SCOPE, out_of_scope_doc, ("examples", language, index), example)
                for language, texts in out_of_scope.examples.items()
                for index, example in enumerate(texts)
            ]
        seen: dict[str, tuple[str, Document, int]] = {}
        copies: set[tuple[str, str | int, str]] = set()
        for owner, document, loc, example in examples:
            key, line = normalise(example), document.line_of(loc)
            copy = (owner, loc[1], example.strip().casefold())
            if copy in copies:
                self.problems.append(Problem(document.file, line, f"the example {example!r} is written twice here"))
            copies.add(copy)
            if key not in seen:
                seen[key] = (owner, document, line)
                continue
            other, other_doc, other_line = seen[key]
            if other == owner:  # a spelling variant of the same intent's example: harmless
                continue
            self.problems.append(Problem(document.file, line, f"the same example {example!r} is also under {other!r} ({other_doc.file}:{other_line})"))
            self.problems.append(Problem(other_doc.file, other_line, f"the same example {example!r} is also under {owner!r} ({document.file}:{line})"))

    def _check_places(self, places: dict[str, tuple[Document, Place]], cities: dict[str, City]) -> None:
        for document, place in places.values():
            if place.city not in cities:
                self.problems.append(document.problem(("city",), f"unknown city {place.city!r}: add it to cities.yml"))

    def _version(self) -> str:
        digest = hashlib.sha256()
        for file in content_files(self.directory):
            digest.update(file.relative_to(self.directory).as_posix().encode())
            digest.update(file.read_bytes())
        return digest.hexdigest()[:16]


def _message(error: ErrorDetails) -> str:
    """A pydantic error, said the way an editor understands it."""
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "value")
    kind = error["type"]
    if kind == "missing":
        return f"missing key {field!r}"
    if kind == "extra_forbidden":
        return f"unknown key {field!r}"
    if kind == "string_too_long":
        return f"{field} is {len(str(error['input']))} characters long (at most {error['ctx']['max_length']})"
    if kind == "too_short":
        return f"{field} has {len(error['input'])} entries (at least {error['ctx']['min_length']})"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        return f"{field} {error['input']!r} must be lowercase letters, digits and _"
    return f"{field}: {error['msg']}"

"""YAML documents that remember the line of every value, for `file:line` messages."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one content file."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and its node tree (for line numbers)."""

    file: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The 1-based line of the key (or list item) at `loc`, or of its nearest existing parent."""
        node = self.root
        line = node.start_mark.line + 1 if node else 1
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        return line

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        """A problem located at `loc` in this document."""
        return Problem(self.file, self.line_of(loc), message)


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key or item, value) nodes at `part` under `node`."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], node.value[part]
    return None


def read_document(file: Path) -> Document | Problem:
    """Parse `file`, or say where its YAML is broken."""
    try:
        text = file.read_text(encoding="utf-8")
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        return Problem(file, 1, f"not UTF-8 text ({exc.reason})")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return Problem(file, line, f"invalid YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return Problem(file, 1, f"invalid YAML: {exc}")
    except ValueError as exc:  # a value YAML recognises but cannot build, such as the date 2026-13-01
        return Problem(file, 1, f"invalid value: {exc} (dates are YYYY-MM-DD and must exist)")
    return Document(file, data, root)

"""Plain-text tables for the command line: columns aligned, two spaces apart."""

from collections.abc import Sequence


def aligned(rows: Sequence[Sequence[str]], *, right_from: int | None = None) -> list[str]:
    """`rows` (the header first) as lines of aligned columns; the columns from index `right_from` on
    (counts, marks) are aligned to the right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def cell(column: int, text: str) -> str:
        return text.rjust(widths[column]) if right_from is not None and column >= right_from else text.ljust(widths[column])

    return ["  ".join(cell(column, text) for column, text in enumerate(row)).rstrip() for row in rows]


def ruled(lines: Sequence[str], *, after: Sequence[int] = (0,)) -> list[str]:
    """`lines` with a rule, as wide as the widest line, after each line index in `after` (the header by default)."""
    rule = "-" * max(map(len, lines))
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        if index in after:
            out.append(rule)
    return out

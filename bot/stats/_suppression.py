"""Small-cell suppression of a table of counts shown with its row and column totals.

A count under `THRESHOLD` could single out a few young people: it is shown as `Hidden.SMALL` ("<5").
Then, since a total minus the other shown counts of its line would give a lone hidden count back, every
row and column (totals included) that hides exactly one figure hides its next-smallest one too, as
`Hidden.COMPLEMENTARY` ("x": it is 5 or more, so it must not be shown as "<5"), until no line has a
lone hidden figure."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

THRESHOLD = 5


class Hidden(Enum):
    """Why a figure is not shown, and the mark shown in its place."""

    SMALL = f"<{THRESHOLD}"
    """Under `THRESHOLD`."""
    COMPLEMENTARY = "x"
    """`THRESHOLD` or more, hidden so that a total cannot give a small count back."""


Figure = int | Hidden
"""A count as it may be shown."""


@dataclass(frozen=True)
class Suppressed:
    """A table's counts and totals after suppression."""

    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...]
    column_totals: tuple[Figure, ...]
    total: Figure


def shown(figure: Figure) -> str:
    """A figure as text: the count, or the mark of why it is hidden."""
    return figure.value if isinstance(figure, Hidden) else str(figure)


def suppress(counts: Sequence[Sequence[int]], *, threshold: int = THRESHOLD) -> Suppressed:
    """Suppress `counts` (rows of equal length) and their totals, primary and complementary."""
    width = len(counts[0]) if counts else 0
    grid = [[*row, sum(row)] for row in counts]
    grid.append([*(sum(row[column] for row in counts) for column in range(width)), sum(map(sum, counts))])
    small = {(r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if value < threshold}
    hidden = set(small)
    rows = [[(r, c) for c in range(width + 1)] for r in range(len(grid))]
    lines = [line for line in rows + [list(column) for column in zip(*rows)] if len(line) > 1]  # a line of one figure is its own total
    lines_of = {place: [line for line in lines if place in line] for row in rows for place in row}

    def is_lone(line: list[tuple[int, int]]) -> bool:
        return sum(place in hidden for place in line) == 1

    while lone := next((line for line in lines if is_lone(line)), None):
        # the next-smallest figure; among equals, one whose other line has a lone hidden figure too (one hides for two)
        hidden.add(min(
            (place for place in lone if place not in hidden),
            key=lambda place: (grid[place[0]][place[1]], not any(is_lone(line) for line in lines_of[place] if line is not lone)),
        ))
    figures: list[list[Figure]] = [
        [Hidden.SMALL if (r, c) in small else Hidden.COMPLEMENTARY if (r, c) in hidden else value for c, value in enumerate(row)]
        for r, row in enumerate(grid)
    ]
    return Suppressed(
        cells=tuple(tuple(row[:-1]) for row in figures[:-1]), row_totals=tuple(row[-1] for row in figures[:-1]),
        column_totals=tuple(figures[-1][:-1]), total=figures[-1][-1],
    )

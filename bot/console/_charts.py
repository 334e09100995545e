"""Bar charts drawn on the server as SVG (the console loads no script library and nothing from elsewhere).

A hidden figure is drawn as a hatched bar as long as `THRESHOLD`, with its mark (`<5` or `x`): it
shows that something was counted without showing how much."""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.stats import THRESHOLD, Figure, Hidden, shown

WIDTH = 640
LABEL_WIDTH = 150
VALUE_WIDTH = 50
BAR_HEIGHT = 18
ROW_HEIGHT = 24
MIN_SCALE = 4 * THRESHOLD
"""The full width stands for at least this much, so that a chart of `<5` bars alone does not look full."""


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the figure as shown, where it is and how long."""

    label: str
    value: str
    y: int
    length: float
    suppressed: bool


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per figure, scaled to the largest."""

    bars: tuple[Bar, ...]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        """The drawing's height: one row per bar."""
        return max(1, len(self.bars)) * ROW_HEIGHT


def bar_chart(figures: Sequence[tuple[str, Figure]]) -> BarChart:
    """A chart of `figures` (label, figure); hidden ones drawn as hatched bars."""
    largest = max([MIN_SCALE, *(figure for _, figure in figures if not isinstance(figure, Hidden))])
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    return BarChart(tuple(
        Bar(label, shown(figure), n * ROW_HEIGHT, round((THRESHOLD if isinstance(figure, Hidden) else figure) * scale, 1), isinstance(figure, Hidden))
        for n, (label, figure) in enumerate(figures)
    ))

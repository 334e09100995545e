"""Measuring understanding on held-out messages the model never saw: per language, the numbers that matter."""

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content import CRISIS_TOPIC
from bot.conversation import Understanding
from bot.i18n import LANGUAGES

FALLBACK = "(fallback)"
NOTHING_TO_MEASURE = "–"
MIN_WORDS_FOR_LANGUAGE_ID = 3


@dataclass(frozen=True)
class HeldOut:
    """One language's held-out messages (`tests/nlu_data/<language>.yml`)."""

    language: str
    topics: dict[str, list[str]]
    crisis: list[str]
    hard_negatives: list[str]
    out_of_scope: list[str]

    def labelled(self) -> list[tuple[str, str]]:
        """(message, expected topic) for accuracy: every topic message and every crisis message."""
        return [(m, topic) for topic, messages in self.topics.items() for m in messages] + [(m, CRISIS_TOPIC) for m in self.crisis]

    def all_messages(self) -> list[str]:
        return [m for m, _ in self.labelled()] + self.hard_negatives + self.out_of_scope


def read_held_out(directory: Path) -> list[HeldOut]:
    """Every language's held-out data (or a development set in the same format), in our language order.
    A file may leave out a kind of message it has none of (a crisis-only set has no `topics`)."""
    held_out = []
    for language in LANGUAGES:
        data = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8"))
        held_out.append(HeldOut(
            language, data.get("topics") or {}, data.get("crisis") or [], data.get("hard_negatives") or [], data.get("out_of_scope") or [],
        ))
    return held_out


@dataclass
class LanguageScores:
    """What the model got right in one language."""

    language: str
    expected: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    crisis_caught: int = 0
    crisis_total: int = 0
    false_crises: int = 0
    hard_negatives: int = 0
    fallbacks: int = 0
    out_of_scope: int = 0
    language_right: int = 0
    language_total: int = 0

    @property
    def accuracy(self) -> float:
        return _ratio(sum(e == p for e, p in zip(self.expected, self.predicted)), len(self.expected))

    @property
    def macro_f1(self) -> float:
        return macro_f1(self.expected, self.predicted)

    @property
    def crisis_recall(self) -> float:
        return _ratio(self.crisis_caught, self.crisis_total)

    @property
    def false_positive_rate(self) -> float:
        return _ratio(self.false_crises, self.hard_negatives)

    @property
    def fallback_rate(self) -> float:
        return _ratio(self.fallbacks, self.out_of_scope)

    @property
    def language_id_accuracy(self) -> float:
        return _ratio(self.language_right, self.language_total)


def macro_f1(expected: list[str], predicted: list[str]) -> float:
    """The mean F1 over the expected classes."""
    scores = []
    for label in sorted(set(expected)):
        true_positive = sum(e == p == label for e, p in zip(expected, predicted))
        precision = _ratio(true_positive, sum(p == label for p in predicted))
        recall = _ratio(true_positive, sum(e == label for e in expected))
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


Understand = Callable[[str], Awaitable[Understanding]]


async def evaluate(held_out: Iterable[HeldOut], understand: Understand) -> list[LanguageScores]:
    """Run every held-out message through `understand` (the bot's own path) and score it."""
    results = []
    for data in held_out:
        scores = LanguageScores(data.language)
        for message, topic in data.labelled():
            understood = await understand(message)
            scores.expected.append(topic)
            scores.predicted.append(understood.topic or FALLBACK)
            _score_language(scores, message, understood)
            if topic == CRISIS_TOPIC:
                scores.crisis_total += 1
                scores.crisis_caught += understood.crisis
        for message in data.hard_negatives:
            understood = await understand(message)
            scores.hard_negatives += 1
            scores.false_crises += understood.crisis
            _score_language(scores, message, understood)
        for message in data.out_of_scope:
            understood = await understand(message)
            scores.out_of_scope += 1
            scores.fallbacks += understood.topic is None
            _score_language(scores, message, understood)
        results.append(scores)
    return results


def _score_language(scores: LanguageScores, message: str, understood: Understanding) -> None:
    if len(message.split()) >= MIN_WORDS_FOR_LANGUAGE_ID:
        scores.language_total += 1
        scores.language_right += understood.language is not None and understood.language.language == scores.language


def total(scores: list[LanguageScores]) -> LanguageScores:
    """All languages together."""
    combined = LanguageScores("all")
    for s in scores:
        combined.expected += s.expected
        combined.predicted += s.predicted
        for name in ("crisis_caught", "crisis_total", "false_crises", "hard_negatives", "fallbacks", "out_of_scope", "language_right", "language_total"):
            setattr(combined, name, getattr(combined, name) + getattr(s, name))
    return combined


def confused_pairs(scores: list[LanguageScores], most: int = 8) -> list[tuple[str, str, int]]:
    """The (expected, predicted) topic pairs most often mixed up, all languages together."""
    pairs = Counter((e, p) for s in scores for e, p in zip(s.expected, s.predicted) if e != p)
    return [(e, p, n) for (e, p), n in pairs.most_common(most)]


def render_table(scores: list[LanguageScores]) -> str:
    """A Markdown table: one row per language and one for all."""
    lines = [
        "| language | messages | top-1 accuracy | macro-F1 | crisis recall | false crises on hard negatives | out-of-scope to fallback | language ID (3+ words) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in [*scores, total(scores)]:
        labelled = len(s.expected)
        lines.append(
            f"| {s.language} | {labelled} | {_percent(s.accuracy, labelled)} | {f'{s.macro_f1:.3f}' if labelled else NOTHING_TO_MEASURE} | "
            f"{_percent(s.crisis_recall, s.crisis_total)} ({s.crisis_caught}/{s.crisis_total}) | "
            f"{_percent(s.false_positive_rate, s.hard_negatives)} ({s.false_crises}/{s.hard_negatives}) | "
            f"{_percent(s.fallback_rate, s.out_of_scope)} | {_percent(s.language_id_accuracy, s.language_total)} |"
        )
    return "\n".join(lines)


def _percent(ratio: float, whole: int) -> str:
    """A ratio as a percentage, or a dash where there was nothing to count (a crisis-only set has no out-of-scope messages)."""
    return f"{ratio:.1%}" if whole else NOTHING_TO_MEASURE


def render_confusions(scores: list[LanguageScores]) -> str:
    """The most confused pairs, one per line."""
    return "\n".join(f"- {expected} → {predicted}: {count}" for expected, predicted, count in confused_pairs(scores))

"""Splitting a long message into parts a channel accepts, at the most natural bound available."""

import re

_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"(?<=[.!?؟።۔])\s+")
_WORD = re.compile(r"\s+")


def split_text(text: str, *, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, cut between paragraphs, else lines, else
    sentences, else words; a word longer than `limit` is the only thing ever cut inside."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut_at, resume_at = _cut(rest, limit)
        parts.append(rest[:cut_at].rstrip())
        rest = rest[resume_at:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _cut(text: str, limit: int) -> tuple[int, int]:
    """Where the first part ends and the next begins: the last natural bound that keeps the first
    part at most `limit` long (and, for paragraphs, lines and sentences, at least half of it)."""
    window = text[: limit + 1]
    for bound, minimum in ((_PARAGRAPH, limit // 2), (_LINE, limit // 2), (_SENTENCE, limit // 2), (_WORD, 1)):
        found = [match for match in bound.finditer(window) if minimum <= match.start() <= limit]
        if found:
            return found[-1].start(), found[-1].end()
    return limit, limit

"""`supportline content stats`: which topic is in which language, and how far it is reviewed."""

from bot.content._model import Content
from bot.core.text_tables import aligned, ruled
from bot.i18n import LANGUAGES

_MARK = {"reviewed": "R", "draft": "d"}


def render_stats(content: Content) -> str:
    """A topics x languages table (R reviewed, d draft, - missing) with per-language totals."""
    rows = [["topic", *LANGUAGES, "examples"]]
    for topic_id, topic in sorted(content.topics.items()):
        cells = [_MARK[topic.translations[lang].status] if lang in topic.translations else "-" for lang in LANGUAGES]
        rows.append([topic_id, *cells, str(sum(len(text.examples) for text in topic.translations.values()))])
    for status, mark in _MARK.items():
        counts = [sum(1 for t in content.topics.values() if t.translations[lang].status == status) for lang in LANGUAGES]
        rows.append([f"{status} ({mark})", *map(str, counts), ""])
    lines = ruled(aligned(rows, right_from=1), after=(0, len(content.topics)))
    present = sum(len(t.translations) for t in content.topics.values())
    lines.append(f"\n{len(content.topics)} topics x {len(LANGUAGES)} languages: {present} of {len(content.topics) * len(LANGUAGES)} present; "
                 f"{len(content.places)} places in {len({p.city for p in content.places.values()})} cities")
    return "\n".join(lines)

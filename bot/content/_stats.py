"""`supportline content stats`: which topic is in which language, and how far it is reviewed."""

from bot.content._model import Content
from bot.i18n import LANGUAGES

_MARK = {"reviewed": "R", "draft": "d"}


def render_stats(content: Content) -> str:
    """A topics x languages table (R reviewed, d draft, - missing) with per-language totals."""
    width = max(len(topic_id) for topic_id in content.topics)
    header = f"{'topic':<{width}}  " + "  ".join(f"{language:>5}" for language in LANGUAGES) + "  examples"
    lines = [header, "-" * len(header)]
    for topic_id, topic in sorted(content.topics.items()):
        cells = [_MARK[topic.translations[lang].status] if lang in topic.translations else "-" for lang in LANGUAGES]
        examples = sum(len(text.examples) for text in topic.translations.values())
        lines.append(f"{topic_id:<{width}}  " + "  ".join(f"{cell:>5}" for cell in cells) + f"  {examples:>8}")
    lines.append("-" * len(header))
    for status, mark in _MARK.items():
        counts = [sum(1 for t in content.topics.values() if t.translations[lang].status == status) for lang in LANGUAGES]
        lines.append(f"{status + ' (' + mark + ')':<{width}}  " + "  ".join(f"{count:>5}" for count in counts))
    present = sum(len(t.translations) for t in content.topics.values())
    lines.append(f"\n{len(content.topics)} topics x {len(LANGUAGES)} languages: {present} of {len(content.topics) * len(LANGUAGES)} present; "
                 f"{len(content.places)} places in {len({p.city for p in content.places.values()})} cities")
    return "\n".join(lines)

"""`supportline content preview`: a turn of the conversation core as a young person sees it, for
editors — in a terminal (right-to-left lines marked so a terminal lays them out right to left), or as
a standalone page styled by the web chat's own stylesheet."""

import re

from jinja2 import Environment
from markupsafe import Markup, escape

from bot.channels.web import STATIC_DIR
from bot.conversation import Turn

RIGHT_TO_LEFT_EMBEDDING = "\u202b"
POP_DIRECTIONAL_FORMATTING = "\u202c"
"""An embedding, not an isolate (RLI/PDI): the text inside an embedding still decides the line's own
direction, so a bidi-capable terminal right-aligns the line and lays it out right to left."""

_MARKDOWN = re.compile(r"\*([^*\n]+)\*|\[([^\]\n]+)\]\((https://[^)\s]+)\)")
"""The small Markdown of replies, matched as the web chat's `formatted()` in chat.js matches it."""

_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ language }}" dir="{{ direction }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
{{ stylesheet }}
</style>
</head>
<body>
<main>
<p class="intro" lang="en" dir="ltr">{{ note }}</p>
<div class="log">
{% for reply in replies %}<div class="message from-bot" dir="auto"><span class="sender">{{ sender }}</span>{{ reply.html }}
{%- if reply.buttons %}<div class="buttons">{% for label in reply.buttons %}<button type="button">{{ label }}</button>{% endfor %}</div>{% endif -%}
</div>
{% endfor %}</div>
</main>
</body>
</html>
""")


def for_terminal(turn: Turn) -> str:
    """The replies as plain text with numbered buttons; every line embedded right to left in an RTL language."""
    lines: list[str] = []
    for reply in turn.replies:
        if lines:
            lines.append("")
        lines += reply.text.split("\n")
        lines += [f"[{number}] {button.label}" for number, button in enumerate(reply.buttons, start=1)]
    if turn.direction == "rtl":
        lines = [f"{RIGHT_TO_LEFT_EMBEDDING}{line}{POP_DIRECTIONAL_FORMATTING}" if line else line for line in lines]
    return "\n".join(lines)


def as_html_page(turn: Turn, *, title: str, sender: str, note: str) -> str:
    """A standalone page (stylesheet inlined, nothing loaded from anywhere) showing the replies as
    the web chat shows them; `note` is a line for the editor above them."""
    replies = [{"html": _formatted(reply.text), "buttons": [button.label for button in reply.buttons]} for reply in turn.replies]
    stylesheet = Markup((STATIC_DIR / "chat.css").read_text(encoding="utf-8"))  # our own file, inlined as is
    return _PAGE.render(language=turn.language, direction=turn.direction, title=title, stylesheet=stylesheet, note=note, sender=sender, replies=replies)


def _formatted(text: str) -> Markup:
    """`*bold*` and `[text](https://…)` as HTML, everything else escaped."""
    parts: list[Markup] = []
    last = 0
    for match in _MARKDOWN.finditer(text):
        parts.append(escape(text[last : match.start()]))
        if match.group(1) is not None:
            parts.append(Markup("<strong>{}</strong>").format(match.group(1)))
        else:
            parts.append(Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(match.group(3), match.group(2)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)

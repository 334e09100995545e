"""The web chat's one page: server-rendered, every interface string in every language embedded,
so switching language needs no request and the page loads nothing from anywhere else."""

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.conversation import ConversationCore
from bot.i18n import LANGUAGES, language_name, negotiate_language, text_direction

_TEMPLATES = Environment(loader=PackageLoader("bot.channels.web", "templates"), autoescape=select_autoescape(["html"]))

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
"""Nothing third-party can load, nothing is framed, no address leaks to a linked site, nothing is cached on a shared device."""


def _strings(core: ConversationCore, language: str) -> dict[str, str]:
    return {
        "title": core.phrase(language, "web.title"),
        "intro": core.phrase(language, "web.intro"),
        "languageLabel": core.phrase(language, "web.language"),
        "messageLabel": core.phrase(language, "web.message_label"),
        "placeholder": core.phrase(language, "web.placeholder"),
        "send": core.phrase(language, "web.send"),
        "quickExit": core.phrase(language, "web.quick_exit"),
        "quickExitHint": core.phrase(language, "web.quick_exit_hint"),
        "logLabel": core.phrase(language, "web.log_label"),
        "connecting": core.phrase(language, "web.connecting"),
        "offline": core.phrase(language, "web.offline"),
        "you": core.phrase(language, "web.you"),
        "line": core.phrase(language, "web.line"),
        "counsellor": core.phrase(language, "web.counsellor"),
        "privacyLink": core.phrase(language, "web.privacy_link"),
    }


def page_language(core: ConversationCore, *, chosen: str | None, accept_language: str | None) -> str:
    """The language chosen in the page's menu, else the browser's, else the line's default."""
    if chosen in LANGUAGES:
        return chosen  # type: ignore[return-value]
    return negotiate_language([part.split(";")[0].strip() for part in (accept_language or "").split(",")]) or core.default_language


def render_privacy_page(core: ConversationCore, *, language: str, retention_days: int) -> str:
    """What is kept and for how long, in `language`; the retention period is the configured one."""
    return _TEMPLATES.get_template("privacy.html").render(
        language=language,
        direction=text_direction(language),
        title=core.phrase(language, "privacy.title"),
        paragraphs=[  # each states what the code does: change them together
            core.phrase(language, "privacy.anonymous"),
            core.phrase(language, "privacy.kept"),
            core.phrase(language, "privacy.retention", days=retention_days),
            core.phrase(language, "privacy.forget"),
            core.phrase(language, "privacy.counsellors"),
            core.phrase(language, "privacy.location"),
            core.phrase(language, "privacy.web"),
        ],
        back=core.phrase(language, "privacy.back"),
        language_label=core.phrase(language, "web.language"),
        languages=[(code, language_name(code)) for code in LANGUAGES],
    )


def render_chat_page(core: ConversationCore, *, accept_language: str | None, quick_exit_url: str) -> str:
    """The chat page in the browser's language (the conversation's own language takes over once it connects)."""
    language = page_language(core, chosen=None, accept_language=accept_language)
    return _TEMPLATES.get_template("chat.html").render(
        language=language,
        direction=text_direction(language),
        strings=_strings(core, language),
        languages=[(code, language_name(code)) for code in LANGUAGES],
        config={"strings": {code: _strings(core, code) for code in LANGUAGES}, "directions": {code: text_direction(code) for code in LANGUAGES}, "quickExitUrl": quick_exit_url},
    )

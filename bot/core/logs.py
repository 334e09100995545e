"""Log output that holds nothing identifying: every line passes through one scrubbing formatter.

Our own log calls never include a message text or a channel id; this catches what libraries add
(an update's repr in a traceback, a request URL with the bot token, a chat id in an error).
"""

import logging
import re

_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"bot\d+:[\w-]+"), "bot[token]"),
    (re.compile(r"""\b(first_name|last_name|username|text|caption|phone_number|title|data|query)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""), r"\1=[removed]"),
    (re.compile(r"""(['"](?:first_name|last_name|username|text|caption|phone_number|title|data|query)['"]:\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""), r"\1'[removed]'"),
    (re.compile(r"(?<![\w.])\+?\d[\d -]{4,}\d(?![\w.])"), "[number]"),
)
"""Bot tokens; names, usernames, texts and phone numbers in reprs and JSON; runs of six or more digits
(chat and user ids, phone numbers). Dotted numbers (addresses, versions) and words with digits stay."""


def scrub(line: str) -> str:
    """`line` without anything that could identify a young person or unlock the bot."""
    for pattern, replacement in _SCRUBBERS:
        line = pattern.sub(replacement, line)
    return line


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose message, traceback and stack are scrubbed (the timestamp is left as it is)."""

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = scrub(record.getMessage()), None
        return super().format(clean)

    def formatException(self, ei: object) -> str:  # type: ignore[override]
        return scrub(super().formatException(ei))  # type: ignore[arg-type]

    def formatStack(self, stack_info: str) -> str:
        return scrub(super().formatStack(stack_info))


def configure_logging(level: int = logging.INFO) -> None:
    """Root logging to stderr through the scrubbing formatter; chatty libraries at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for chatty in ("httpx", "alembic"):  # httpx logs request URLs, which carry the bot token
        logging.getLogger(chatty).setLevel(logging.WARNING)

"""The exception tree of the `bot` package: every error it raises on purpose is one of these."""


class SupportLineError(Exception):
    """Base of every error raised by the support line's own code in `bot`."""


class ContentError(SupportLineError):
    """The content under `content/` is broken; `problems` lists every `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in content:\n" + "\n".join(problems))
        self.problems = problems


class ChildServerError(SupportLineError):
    """A server run as a child process exited or did not answer in time."""

"""The content a running app answers from, reloaded when files change."""

import logging
import time
from pathlib import Path

from bot.content._loader import fingerprint, load_content
from bot.content._model import Content
from bot.core.errors import ContentError

log = logging.getLogger(__name__)


class ContentStore:
    """Holds the last good `Content`; a broken edit is logged and never shown to young people."""

    def __init__(self, directory: Path, *, check_every_seconds: float = 1.0) -> None:
        self._directory = directory
        self._check_every = check_every_seconds
        self._fingerprint = fingerprint(directory)
        self._content = load_content(directory)
        self._checked_at = time.monotonic()

    def current(self) -> Content:
        """The newest good content, looking for changed files at most once per interval."""
        now = time.monotonic()
        if now - self._checked_at >= self._check_every:
            self._checked_at = now
            self._reload_if_changed()
        return self._content

    def _reload_if_changed(self) -> None:
        latest = fingerprint(self._directory)
        if latest == self._fingerprint:
            return
        self._fingerprint = latest
        try:
            self._content = load_content(self._directory)
        except ContentError as exc:
            log.error("content changed but is broken; still answering from version %s:\n%s", self._content.version, "\n".join(exc.problems))
            return
        log.info("content reloaded: version %s", self._content.version)

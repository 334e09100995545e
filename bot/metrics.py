"""The line's Prometheus metrics: how much, how fast, how often it failed; never who or what was said.

Every metric lives in `REGISTRY`, this module's own registry (not prometheus_client's global one),
so nothing else in the process adds to what `/metrics` shows and the definitions are made once.
Labels take a handful of fixed values (a channel, a kind of message, a priority): a conversation id,
a text or anything a young person typed must never become a label.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["REGISTRY", "message_handled", "nlu_failed", "queue_seen"]

REGISTRY = CollectorRegistry()

_MESSAGES = Counter(
    "supportline_messages_handled",
    "Messages from young people answered by the conversation core.",
    ["channel", "kind"],
    registry=REGISTRY,
)
_REPLY_SECONDS = Histogram(
    "supportline_reply_seconds",
    "Time from a message reaching the conversation core to its reply (nlu: free text sent to Rasa; direct: the rest).",
    ["channel", "path"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0),
    registry=REGISTRY,
)
_NLU_ERRORS = Counter(
    "supportline_nlu_errors",
    "Free-text messages answered without NLU because Rasa failed (unavailable: unreachable or timed out; invalid: an unusable answer).",
    ["error"],
    registry=REGISTRY,
)
_CRISIS_ESCALATIONS = Counter(
    "supportline_crisis_escalations",
    "Messages recognised as a crisis: emergency numbers sent and an urgent request for a counsellor made.",
    registry=REGISTRY,
)
_HANDOFF_REQUESTS = Counter(
    "supportline_handoff_requests",
    "Messages that asked for a counsellor (or raised a waiting request), by the request's priority.",
    ["priority"],
    registry=REGISTRY,
)
_QUEUE_WAITING = Gauge(
    "supportline_queue_waiting_requests",
    "Requests waiting for a counsellor (queued or being transferred), read from the database at scrape time (NaN when it did not answer).",
    registry=REGISTRY,
)
_QUEUE_OLDEST_SECONDS = Gauge(
    "supportline_queue_oldest_wait_seconds",
    "How long the longest-waiting request has waited, read from the database at scrape time (0 when nobody waits).",
    registry=REGISTRY,
)


for _error in ("unavailable", "invalid"):
    _NLU_ERRORS.labels(error=_error)
for _priority in ("urgent", "high", "normal"):
    _HANDOFF_REQUESTS.labels(priority=_priority)  # shown as 0 before the first one, so rates work from the start


def message_handled(*, channel: str, kind: str, path: str, seconds: float, crisis: bool, handoff: str | None) -> None:
    """One message answered. `kind`: text, button, command, location or attachment; `path`: nlu or
    direct; `handoff`: the priority of the request for a counsellor the message made or raised, if any."""
    _MESSAGES.labels(channel=channel, kind=kind).inc()
    _REPLY_SECONDS.labels(channel=channel, path=path).observe(seconds)
    if crisis:
        _CRISIS_ESCALATIONS.inc()
    if handoff is not None:
        _HANDOFF_REQUESTS.labels(priority=handoff).inc()


def nlu_failed(*, unavailable: bool) -> None:
    """Rasa could not understand a message: unreachable or too slow (`unavailable`), or answered nonsense."""
    _NLU_ERRORS.labels(error="unavailable" if unavailable else "invalid").inc()


_OUTBOX_BACKLOG = Gauge(
    "supportline_outbox_backlog_messages",
    "Messages waiting in the outbox for their channel to confirm them, read from the database at scrape time (NaN when it did not answer).",
    registry=REGISTRY,
)


def outbox_seen(*, backlog: float) -> None:
    """The outbox as the database shows it now, set just before each scrape."""
    _OUTBOX_BACKLOG.set(backlog)


def queue_seen(*, waiting: float, oldest_seconds: float) -> None:
    """The queue as the database shows it now, set just before each scrape (NaN for both when it did not answer)."""
    _QUEUE_WAITING.set(waiting)
    _QUEUE_OLDEST_SECONDS.set(oldest_seconds)

"""Prometheus metrics at `/metrics`: counts, latencies and the queue; no conversation data at all.

What is shown is defined in `bot.metrics`: counters and histograms labelled only by channel, kind of
message, path and priority, and the queue and outbox gauges read from the database at each scrape. No
conversation id, text, language or timestamp of a person is ever a label or a value.

The route itself is not protected. Even without conversation data, traffic volumes and the queue
are operational information that should not be public: in production, the reverse proxy must not
forward `/metrics` from the internet, so that only the monitoring network reaches it (scrape
the app's own address, `APP_HOST:APP_PORT`, from there).
"""

import logging
import math

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.api.deps import DatabaseDep
from bot.storage import Database, outbox_backlog, utcnow, waiting_summary

router = APIRouter()
log = logging.getLogger(__name__)


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request, database: DatabaseDep) -> Response:
    """Every metric, the queue gauges updated from the database first. The format is the one the
    scraper accepts, as prometheus_client negotiates it: `generate_latest` (text format 0.0.4)
    unless OpenMetrics or text 1.0.0 is asked for."""
    await _update_queue(database)
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(metrics.REGISTRY), media_type=content_type)


async def _update_queue(database: Database) -> None:
    """The queue's length and longest wait, and the outbox backlog, now; NaN if the database does not
    answer (the counters are still served)."""
    try:
        async with database.session() as session:
            waiting, since = await waiting_summary(session)
            backlog = await outbox_backlog(session)
    except SQLAlchemyError as exc:
        log.warning("metrics: the queue could not be read: %r", exc)
        metrics.queue_seen(waiting=math.nan, oldest_seconds=math.nan)
        metrics.outbox_seen(backlog=math.nan)
        return
    metrics.outbox_seen(backlog=backlog)
    oldest = (utcnow() - since).total_seconds() if since is not None else 0.0
    metrics.queue_seen(waiting=waiting, oldest_seconds=max(oldest, 0.0))

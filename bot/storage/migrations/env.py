"""Alembic environment: runs on the connection the app hands over (see `Database.migrate`)."""

from alembic import context
from sqlalchemy import create_engine

from bot.storage._models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(connection_) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection_, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic` on the command line, e.g. `alembic revision --autogenerate`
    from bot.core.config import get_settings

    with create_engine(get_settings().database_url).connect() as standalone:
        _run(standalone)
        standalone.commit()

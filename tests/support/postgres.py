"""Scratch PostgreSQL databases on the local server, for the tests and the benchmarks: created, then dropped."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

SERVER_URL = "postgresql://postgres@127.0.0.1:5432"
ADMIN_URL = f"{SERVER_URL}/postgres"


def postgres_available() -> bool:
    """Whether the local server answers."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new database named `<prefix>_<random>`; its URL, then it is dropped (connections and all)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER_URL}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""`supportline counsellor add|disable|reset-password`, and the demo account of a first `make run`."""

import argparse
import asyncio

from bot.console import add_counsellor, disable_counsellor, new_password, reset_password
from bot.core.config import Settings, get_settings
from bot.runtime import open_database
from bot.storage import counsellor_count

DEMO_USERNAME = "demo"


async def _add(settings: Settings, args: argparse.Namespace, password: str) -> None:
    async with open_database(settings) as database, database.session() as session:
        await add_counsellor(
            session, username=args.username, display_name=args.name or args.username, languages=args.languages.split(","),
            role=args.role, max_concurrent=args.max_concurrent, password=password,
        )
        await session.commit()


def counsellor_add(args: argparse.Namespace) -> int:
    """Create an account; its password is printed once."""
    password = new_password()
    asyncio.run(_add(get_settings(), args, password))
    print(f"created {args.username} ({args.role}); password, shown only now: {password}")
    return 0


def counsellor_disable(args: argparse.Namespace) -> int:
    """Disable an account and log it out everywhere."""

    async def disable() -> None:
        async with open_database(get_settings()) as database, database.session() as session:
            await disable_counsellor(session, username=args.username)
            await session.commit()

    asyncio.run(disable())
    print(f"disabled {args.username}")
    return 0


def counsellor_reset_password(args: argparse.Namespace) -> int:
    """Give an account a new password (printed once) and log it out everywhere."""
    password = new_password()

    async def reset() -> None:
        async with open_database(get_settings()) as database, database.session() as session:
            await reset_password(session, username=args.username, password=password)
            await session.commit()

    asyncio.run(reset())
    print(f"new password for {args.username}, shown only now: {password}")
    return 0


async def ensure_demo_counsellor(settings: Settings) -> str | None:
    """On a database without any account, create a demo supervisor; return its login line (shown once)."""
    async with open_database(settings) as database, database.session() as session:
        if await counsellor_count(session):
            return None
        password = new_password()
        await add_counsellor(
            session, username=DEMO_USERNAME, display_name="Demo", languages=["sv", "en"], role="supervisor", max_concurrent=3, password=password,
        )
        await session.commit()
    return f"demo counsellor created: username {DEMO_USERNAME}, password {password} (shown only now; reset with `supportline counsellor reset-password {DEMO_USERNAME}`)"

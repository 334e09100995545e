"""`supportline content check|stats|report|preview`."""

import argparse
import asyncio
import secrets
import sys
from datetime import date

from bot.content import ModelCheck, check_content, check_examples, load_content, render_report, render_stats, survey
from bot.conversation import Incoming, Turn, topic_payload
from bot.core.config import Settings, get_settings
from bot.core.errors import ContentError
from bot.cli._preview import as_html_page, for_terminal
from bot.runtime import conversation_core, without_storage
from nlu import NLUUnavailable, RasaClient

REPORT_WITHOUT_MODEL = 3
"""`content report` exit code: the report was printed, but its model section could not be run."""
PREVIEW_CHANNEL = "preview"


def content_check(_: argparse.Namespace) -> int:
    """Report every problem in the content as `file:line: message`; non-zero exit if any."""
    directory = get_settings().content_dir
    problems = check_content(directory)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"content OK: {directory}")
    return 0


def content_stats(_: argparse.Namespace) -> int:
    """Print topics x languages with their translation status."""
    print(render_stats(load_content(get_settings().content_dir)))
    return 0


def content_report(args: argparse.Namespace) -> int:
    """Print what editors should look at next; exit 3 if the examples could not be run through the model."""
    settings = get_settings()
    found = survey(settings.content_dir)
    model = asyncio.run(_check_with_model(settings, found.training_examples()))
    print(render_report(found, model, today=args.today or date.today()), end="")
    return 0 if model.unavailable is None else REPORT_WITHOUT_MODEL


async def _check_with_model(settings: Settings, examples: list[tuple[str, str, str]]) -> ModelCheck:
    """Every example through the bot's own understanding, against the model Rasa serves at RASA_URL."""
    rasa = f"Rasa at {settings.rasa_url}"
    client = RasaClient(settings.rasa_url, timeout_seconds=settings.rasa_timeout_seconds)
    try:
        status = await client.status()
    except NLUUnavailable:
        return ModelCheck(rasa, unavailable=f"{rasa} is not reachable. Start the bot (`supportline run`) or set RASA_URL, then run the report again")
    finally:
        await client.aclose()
    model = f"{status.get('model_file')} served by {rasa}"
    try:
        async with conversation_core(without_storage(settings)) as core:
            return await check_examples(examples, core.understand, model=model)
    except ContentError:
        return ModelCheck(model, unavailable="the bot cannot load content that has problems: fix what `supportline content check` lists first")


def content_preview(args: argparse.Namespace) -> int:
    """Print a topic's answer as the bot sends it (and, with --html, write it as the web chat shows it)."""
    settings = without_storage(get_settings())
    content = load_content(settings.content_dir)
    if args.topic not in content.topics:
        print(f"supportline: unknown topic {args.topic!r}; the topics are: {', '.join(sorted(content.topics))}", file=sys.stderr)
        return 2
    language = args.lang or settings.default_language
    topic, text = content.topics[args.topic], content.topics[args.topic].translations[language]
    note = f"Preview of {args.topic!r} in {language}: {text.status}, facts reviewed {topic.reviewed.isoformat()}"
    if text.status == "draft":
        note += " (DRAFT: not yet reviewed by a fluent speaker)"
    turn, title, sender = asyncio.run(_preview_turn(settings, args.topic, language))
    print(f"{note}\n{'-' * len(note)}\n{for_terminal(turn)}")
    if args.html is not None:
        args.html.write_text(as_html_page(turn, title=title, sender=sender, note=note), encoding="utf-8")
        print(f"\nwrote {args.html}")
    return 0


async def _preview_turn(settings: Settings, topic_id: str, language: str) -> tuple[Turn, str, str]:
    """The turn the core answers when the topic's button is pressed, with the web chat's page title and sender label."""
    async with conversation_core(settings) as core:
        turn = await core.handle(Incoming(secrets.token_hex(16), PREVIEW_CHANNEL, payload=topic_payload(topic_id), language=language))
        return turn, core.phrase(language, "web.title"), core.phrase(language, "web.line")

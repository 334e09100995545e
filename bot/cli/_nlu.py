"""`supportline nlu eval`: accuracy on held-out messages, through the bot's own understanding path."""

import argparse
import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

from bot.cli._serve import ensure_rasa
from bot.core.config import Settings, get_settings
from bot.evaluation import LanguageScores, evaluate, read_held_out, render_confusions, render_table
from bot.runtime import conversation_core, without_storage

HELD_OUT_DIR = Path("tests/nlu_data")


async def run_evaluation(settings: Settings, held_out_dir: Path) -> list[LanguageScores]:
    """Serve the model trained from content (training it if needed) and score every held-out message."""
    async with AsyncExitStack() as stack:
        print(await ensure_rasa(settings, stack), flush=True)
        core = await stack.enter_async_context(conversation_core(without_storage(settings)))
        return await evaluate(read_held_out(held_out_dir), core.understand)


def nlu_eval(args: argparse.Namespace) -> int:
    """Print per-language accuracy, macro-F1, crisis recall, false crises, fallback rate, language ID and confusions."""
    scores = asyncio.run(run_evaluation(get_settings(), args.data))
    print(render_table(scores))
    print("\nMost confused (expected → predicted):")
    print(render_confusions(scores))
    return 0

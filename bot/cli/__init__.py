"""The `supportline` command: try the bot, check content, train and run."""

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.cli._content import content_check, content_preview, content_report, content_stats
from bot.cli._counsellors import counsellor_add, counsellor_disable, counsellor_reset_password
from bot.console import ROLES
from bot.cli._nlu import HELD_OUT_DIR, nlu_eval
from bot.cli._serve import run_command, train_command
from bot.cli._stats import stats
from bot.cli._talk import ask, chat, classify
from bot.cli._upkeep import keys_new, keys_rotate, purge
from bot.core.errors import ContentError, SupportLineError
from bot.core.logs import configure_logging
from bot.i18n import LANGUAGES
from nlu import NLUError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportline", description="The youth support line.")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("run", help="train if needed, start Rasa and the app").set_defaults(run=run_command)
    commands.add_parser("train", help="train the NLU model if content changed").set_defaults(run=train_command)
    commands.add_parser("chat", help="talk to the bot in this terminal").set_defaults(run=chat)
    ask_parser = commands.add_parser("ask", help="one turn, on a conversation that is not kept")
    ask_parser.add_argument("text")
    ask_parser.add_argument("--lang", choices=LANGUAGES, help="the language chosen by the young person")
    ask_parser.add_argument("--json", action="store_true", help="print the whole turn as JSON")
    ask_parser.set_defaults(run=ask)
    commands.add_parser("classify", help='JSON lines {"text", "lang"?} in, one JSON line out per input').set_defaults(run=classify)

    nlu = commands.add_parser("nlu", help="measure understanding")
    nlu_commands = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluation = nlu_commands.add_parser("eval", help="accuracy on held-out messages, per language")
    evaluation.add_argument("--data", type=Path, default=HELD_OUT_DIR, help="folder with <language>.yml held-out files")
    evaluation.set_defaults(run=nlu_eval)

    counsellor = commands.add_parser("counsellor", help="counsellor accounts for the console")
    counsellor_commands = counsellor.add_subparsers(dest="counsellor_command", required=True)
    add = counsellor_commands.add_parser("add", help="create an account (its password is printed once)")
    add.add_argument("username")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--languages", default="sv", help=f"comma-separated, among {','.join(LANGUAGES)}")
    add.add_argument("--role", choices=ROLES, default="counsellor")
    add.add_argument("--max-concurrent", type=int, default=3, help="conversations at once")
    add.set_defaults(run=counsellor_add)
    for name, run, description in (("disable", counsellor_disable, "disable an account"), ("reset-password", counsellor_reset_password, "new password, printed once")):
        sub = counsellor_commands.add_parser(name, help=description)
        sub.add_argument("username")
        sub.set_defaults(run=run)

    statistics = commands.add_parser("stats", help="anonymous weekly statistics, counts under 5 shown as <5")
    statistics.add_argument("--since", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD", help="from the ISO week holding this day")
    statistics.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="to the ISO week holding this day (default: today)")
    statistics.add_argument("--format", choices=("table", "csv"), default="table", help="text tables, or CSV with a fixed header")
    statistics.set_defaults(run=stats)
    commands.add_parser("purge", help="delete now what is past the retention period").set_defaults(run=purge)
    keys = commands.add_parser("keys", help="the data keys that encrypt texts at rest")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("new", help="print a new key to put first in DATA_KEYS").set_defaults(run=keys_new)
    keys_commands.add_parser("rotate", help="re-encrypt every text under the first key").set_defaults(run=keys_rotate)

    content = commands.add_parser("content", help="check or summarise the content under content/")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="report every problem as file:line: message").set_defaults(run=content_check)
    content_commands.add_parser("stats", help="topics x languages, with draft/reviewed counts").set_defaults(run=content_stats)
    report = content_commands.add_parser(
        "report", help="translations, old reviewed dates, few examples, examples the model gets wrong",
        epilog="Exit 0: the whole report; 3: printed, but the model section could not run (Rasa not reachable at RASA_URL, or broken content).",
    )
    report.add_argument("--today", type=date.fromisoformat, help="the date to count 12 months back from (YYYY-MM-DD; default: today)")
    report.set_defaults(run=content_report)
    preview = content_commands.add_parser("preview", help="a topic's answer as a young person sees it")
    preview.add_argument("topic")
    preview.add_argument("--lang", choices=LANGUAGES, help="the language (default: DEFAULT_LANGUAGE)")
    preview.add_argument("--html", type=Path, metavar="FILE", help="also write a standalone page as the web chat shows it")
    preview.set_defaults(run=content_preview)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `supportline` console script."""
    args = _parser().parse_args(argv)
    configure_logging()
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    except (SupportLineError, NLUError) as exc:
        print(f"supportline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

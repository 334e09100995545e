"""`supportline content check|stats`."""

import argparse
import sys

from bot.content import check_content, load_content, render_stats
from bot.core.config import get_settings


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

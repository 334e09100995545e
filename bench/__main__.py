"""`python -m bench`: see bench/run.py."""

import asyncio

from bench.run import main, parser

asyncio.run(main(parser().parse_args()))

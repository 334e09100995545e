"""`make bench`: every benchmark, the targets of issue #7 checked, and the figures recorded in docs/benchmarks.md.

    .venv/bin/python -m bench                  # everything: end to end, parts, NLU accuracy
    .venv/bin/python -m bench --quick          # small settings (N = 1, 5; short phases): proves the suite works
    .venv/bin/python -m bench --only e2e parts # some of them (e2e, parts, nlu)
    .venv/bin/python -m bench --postgres       # the end-to-end load on PostgreSQL too
"""

import argparse
import asyncio
import os
from dataclasses import dataclass

from bench import e2e, nlu_accuracy, parts
from bench._record import record
from bench._stats import summarise
from bot.content import load_content
from bot.core.config import get_settings

SECTIONS = ("e2e", "parts", "nlu")


@dataclass(frozen=True)
class Target:
    """One target of issue #7 and what was measured against it."""

    name: str
    limit: str
    measured: float | None
    unit: str
    passed: bool | None


def _at_most(name: str, measured: float | None, limit: float, unit: str) -> Target:
    return Target(name, f"<= {limit:g} {unit}", measured, unit, None if measured is None else measured <= limit)


def targets(e2e_report: e2e.E2EReport | None, parts_report: parts.PartsReport | None) -> list[Target]:
    """Each target, measured where this run measured it."""
    found: list[Target] = []
    if e2e_report is not None:
        loads = sorted(count for count in e2e_report.config.users if count <= 20)
        at = loads[-1] if loads else None
        phase = e2e_report.phase("app", at) if at else None
        one = e2e_report.phase("app", 1)
        button_1 = one.result.latency(kind="button") if one else None
        button = phase.result.latency(channel="web", kind="button") if phase else None
        text = phase.result.latency(kind="text") if phase else None
        found += [
            _at_most("button/command reply p99, web chat, N=1", button_1.p99 if button_1 else None, 10, "ms"),
            _at_most(f"button/command reply p99, web chat, N={at}, closed loop (no pause: capacity)", button.p99 if button else None, 10, "ms"),
            _at_most(f"free-text reply p99, N={at}, closed loop (no pause: capacity)", text.p99 if text else None, 100, "ms"),
        ]
        paced_at = max((count for count in e2e_report.config.paced_users if count <= 20), default=None)
        paced = e2e_report.phase("app-paced", paced_at) if paced_at else None
        if paced is not None:
            pause = e2e_report.config.pause
            paced_button, paced_text = paced.result.latency(kind="button"), paced.result.latency(kind="text")
            found += [
                _at_most(f"button/command reply p99, N={paced_at}, each pausing ~{pause:g} s", paced_button.p99 if paced_button else None, 10, "ms"),
                *(
                    _at_most(f"… of which {name}", measured.p99 if (measured := paced.result.latency(channel=channel, kind="button")) else None, 10, "ms")
                    for channel, name in (("web", "web chat"), ("telegram", "Telegram"))
                ),
                _at_most(f"free-text reply p99, N={paced_at}, each pausing ~{pause:g} s", paced_text.p99 if paced_text else None, 100, "ms"),
            ]
        busy = e2e_report.phase("app-busy", e2e_report.config.probe_load)
        if busy is not None:
            config = e2e_report.config
            when = f"N={config.probe_load} paced, busy hour ({config.busy_chats} more chats open, someone asking for a person every {config.busy_ask_every:g} s)"
            busy_button, busy_text = busy.result.latency(kind="button"), busy.result.latency(kind="text")
            found += [
                _at_most(f"button/command reply p99, {when}", busy_button.p99 if busy_button else None, 10, "ms"),
                _at_most(f"free-text reply p99, {when}", busy_text.p99 if busy_text else None, 100, "ms"),
            ]
        for count in e2e_report.config.users:
            ours, theirs = e2e_report.phase("app", count), e2e_report.phase("rasa-rest", count)
            if ours and theirs and theirs.result.throughput:
                ratio = ours.result.throughput / theirs.result.throughput
                found.append(Target(f"throughput vs Rasa's REST channel, N={count}", ">= 1.0x", ratio, "x", ratio >= 1.0))
        for measured in e2e_report.deliveries:
            delivery, shown = summarise(measured.event_ms), summarise(measured.shown_ms)
            found += [
                _at_most(f"youth-to-console delivery p99 (event stream), {measured.load()}", delivery.p99 if delivery else None, 200, "ms"),
                _at_most(f"youth-to-console delivery p99 (transcript shows it), {measured.load()}", shown.p99 if shown else None, 200, "ms"),
            ]
        biggest = max(e2e_report.config.users)
        peak = e2e_report.phase("app", biggest)
        found.append(_at_most(f"app peak RSS under the {biggest}-conversation load", peak.peak_rss_mib.get("app") if peak else None, 250, "MiB"))
    if parts_report is not None:
        for queue in parts_report.queues:
            listing = summarise(queue.listing_ms)
            found.append(_at_most(f"queue listing with {parts.OPEN_CONVERSATIONS:,} open conversations, {queue.backend} (p50)", listing.p50 if listing else None, 50, "ms"))
    return found


def render_targets(found: list[Target]) -> str:
    """The targets as a Markdown table with pass/fail."""
    lines = ["| target | limit | measured | result |", "|---|---|---|---|"]
    for target in found:
        measured = "–" if target.measured is None else f"{target.measured:.2f} {target.unit}"
        result = "not measured" if target.passed is None else ("pass" if target.passed else "**fail**")
        lines.append(f"| {target.name} | {target.limit} | {measured} | {result} |")
    return "\n".join(lines)


def _load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return f"Load average when the run ended: {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min, {os.cpu_count()} cores)."


async def main(arguments: argparse.Namespace) -> None:
    """Run the chosen benchmarks and record them."""
    chosen = set(arguments.only or SECTIONS)
    quick = arguments.quick
    e2e_config = (
        e2e.E2EConfig(users=(1, 5), paced_users=(5,), warm_up=2, seconds=8, probe_messages=15, probe_load=5, busy_chats=30, profile_seconds=8, profile_load=5,
                      postgres=arguments.postgres, rasa_epochs=5)
        if quick else e2e.E2EConfig(postgres=arguments.postgres)
    )
    parts_config = parts.PartsConfig(parse_messages=100, lookups=2_000, button_turns=100, listings=2, claims=10) if quick else parts.PartsConfig()
    settings = get_settings()
    model = await e2e.nlu_model(settings, load_content(settings.content_dir)) if chosen & {"e2e", "parts"} else None
    e2e_report = await e2e.run(e2e_config, model) if "e2e" in chosen and model else None
    parts_report = await parts.run(parts_config, model=model) if "parts" in chosen and model else None
    found = targets(e2e_report, parts_report)
    title = "quick run (`--quick`: N = 1, 5, short phases; figures only prove the suite works)" if quick else "full run"
    body = [f"{title}. {arguments.note or ''} {_load_note()}".strip(), "", "#### Targets (issue #7)", "", render_targets(found)]
    if e2e_report is not None:
        body += ["", "#### End to end (bench/e2e.py)", "", e2e.render(e2e_report)]
    if parts_report is not None:
        body += ["", "#### Parts (bench/parts.py)", "", parts.render(parts_report)]
    text = "\n".join(body)
    print(text)
    if e2e_report is not None or parts_report is not None:
        record("Performance (bench/run.py)", text)
    if "nlu" in chosen:
        await nlu_accuracy.main([])


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bench`."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmarks, recorded in docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="small settings (N = 1, 5; short phases) to check that everything works")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, metavar="SECTION", help=f"run only these ({', '.join(SECTIONS)}); default: all")
    parser.add_argument("--postgres", action="store_true", help="run the end-to-end load on PostgreSQL too")
    parser.add_argument("--note", default="", help="a note recorded with the figures (e.g. what else ran on the machine)")
    return parser


if __name__ == "__main__":
    asyncio.run(main(parser().parse_args()))

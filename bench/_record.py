"""Recording benchmark figures in docs/benchmarks.md: newest first, older runs kept below."""

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
_TITLE = "# Benchmarks\n\nEvery figure here was measured by a script in `bench/`; each run is recorded with its machine, date and commit, newest first.\n"


def machine() -> str:
    """CPU model, cores, memory and Python of this machine."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
    return f"{cpu}, {os.cpu_count()} cores, {memory_kib / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    """The commit measured (with `+changes` when the work tree differs from it)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return f"{head}+changes" if dirty else head


def record(section: str, body: str) -> None:
    """Insert a dated run of `section` at the top of that section, keeping every earlier run."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else _TITLE
    heading = f"## {section}\n"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    run = f"### {stamp} — commit {commit()}\n\nMachine: {machine()}\n\n{body.strip()}\n\n"
    if heading in text:
        text = text.replace(heading, heading + "\n" + run, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + heading + "\n" + run
    BENCHMARKS.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")

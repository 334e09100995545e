"""NLU accuracy on held-out data, for the kept pipeline and an alternative, with Rasa parse latency.

Run with `make bench` (or `.venv/bin/python -m bench.nlu_accuracy [--only C]`). Trains each pipeline from
content/ (cached by hash), serves it with Rasa, runs every held-out message through the bot's own
understanding path, times `/model/parse`, and records it all in docs/benchmarks.md.
"""

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench._record import record
from bench._stats import percentile
from bench.parts import measure_parse
from bot.cli._nlu import HELD_OUT_DIR
from bot.content import load_content
from bot.core.config import get_settings
from bot.evaluation import LanguageScores, evaluate, read_held_out, render_confusions, render_table
from bot.runtime import conversation_core, without_storage
from nlu import PIPELINE_CONFIG, RasaServer, train

_ALTERNATIVES = Path(__file__).parent / "pipelines"
PIPELINES = {
    "A: word + char n-grams, DIET with transformer, 60 epochs (bench/pipelines/word-char-diet-transformer.yml)": _ALTERNATIVES / "word-char-diet-transformer.yml",
    "B: word + char n-grams, logistic regression (bench/pipelines/word-char-logreg.yml)": _ALTERNATIVES / "word-char-logreg.yml",
    "C: word bigrams + char n-grams, DIET without transformer, 100 epochs (kept: nlu/rasa/config.yml)": PIPELINE_CONFIG,
}
PORT = 5099


@dataclass
class PipelineResult:
    name: str
    training_seconds: float | None
    scores: list[LanguageScores]
    parse_ms: list[float]


async def _measure(name: str, pipeline: Path) -> PipelineResult:
    settings = get_settings()
    content = load_content(settings.content_dir)
    started = time.perf_counter()
    existed = {path.absolute() for path in settings.models_dir.glob("*.tar.gz")}
    model = train(content, models_dir=settings.models_dir, rasa_venv=settings.rasa_venv, work_dir=Path(".cache/rasa"), pipeline=pipeline, echo=lambda _: None)
    training_seconds = None if model in existed else time.perf_counter() - started
    url = f"http://127.0.0.1:{PORT}"
    server = RasaServer(rasa_venv=settings.rasa_venv, model=model, url=url, log_file=Path("var/bench-rasa.log"))
    await server.start()
    try:
        held_out = read_held_out(HELD_OUT_DIR)
        async with conversation_core(without_storage(settings).model_copy(update={"rasa_url": url})) as core:
            scores = await evaluate(held_out, core.understand)
        messages = [message for data in held_out for message in data.all_messages()]
        return PipelineResult(name, training_seconds, scores, await measure_parse(url, messages))
    finally:
        server.stop()


def _body(results: list[PipelineResult]) -> str:
    parts = ["Held-out data: `tests/nlu_data/` (never used for training). Thresholds: the app's defaults."]
    for result in results:
        training = f"{result.training_seconds:.0f} s (Rasa reuses its cached components where their settings did not change)" if result.training_seconds is not None else "model already trained"
        parts.append(
            f"#### {result.name}\n\nTraining: {training}. Rasa `/model/parse`, {len(result.parse_ms)} sequential requests: "
            f"p50 {percentile(result.parse_ms, 0.5):.1f} ms, p99 {percentile(result.parse_ms, 0.99):.1f} ms.\n\n"
            f"{render_table(result.scores)}\n\nMost confused (expected → predicted):\n\n{render_confusions(result.scores)}"
        )
    return "\n\n".join(parts)


async def main(only: list[str]) -> None:
    chosen = {name: pipeline for name, pipeline in PIPELINES.items() if not only or name.split(":")[0] in only}
    results = [await _measure(name, pipeline) for name, pipeline in chosen.items()]
    body = _body(results)
    print(body)
    record("NLU accuracy (bench/nlu_accuracy.py)", body)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="NLU accuracy and Rasa latency, recorded in docs/benchmarks.md")
    parser.add_argument("--only", nargs="*", default=[], metavar="LETTER", help="measure only these pipelines (A, B, C); default: all")
    asyncio.run(main(parser.parse_args().only))

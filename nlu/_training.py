"""Rasa training data generated from `content/`, and training only when it changed."""

import hashlib
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.content import Content
from nlu._errors import NLUSetupError

PIPELINE_CONFIG = Path(__file__).parent / "rasa" / "config.yml"
CITY_ENTITY = "city"
OUT_OF_SCOPE_INTENT = "out_of_scope"


def training_data(content: Content) -> dict[str, object]:
    """Rasa NLU data: one intent per topic with its examples in every language, one for out-of-scope
    messages, city names annotated
    as entities (Rasa's lookup-table extractor only learns entities it sees annotated), and a city lookup."""
    spellings = sorted({s for city in content.cities.values() for s in (*city.names.values(), *city.variants)}, key=len, reverse=True)
    city_pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, spellings)) + r")(?!\w)", re.IGNORECASE)

    def annotated(example: str) -> str:
        return city_pattern.sub(lambda match: f"[{match.group(1)}]({CITY_ENTITY})", example)

    intents = [
        {"intent": topic_id, "examples": "".join(f"- {annotated(example)}\n" for text in topic.translations.values() for example in text.examples)}
        for topic_id, topic in sorted(content.topics.items())
    ]
    intents.append({"intent": OUT_OF_SCOPE_INTENT, "examples": "".join(f"- {example}\n" for examples in content.out_of_scope.values() for example in examples)})
    lookup = {"lookup": CITY_ENTITY, "examples": "".join(f"- {spelling}\n" for spelling in sorted(spellings))}
    return {"version": "3.1", "nlu": [*intents, lookup]}


class _Literal(str):
    """A YAML block scalar, the way Rasa writes example lists."""


yaml.SafeDumper.add_representer(_Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|"))


def render_training_data(content: Content) -> str:
    """The generated `nlu.yml` text."""
    data = training_data(content)
    for item in data["nlu"]:  # type: ignore[union-attr]
        item["examples"] = _Literal(item["examples"])
    return "# Generated from content/ by `supportline train`. Do not edit: edit content/ instead.\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=10_000
    )


def model_name(nlu_yaml: str, pipeline: Path = PIPELINE_CONFIG) -> str:
    """The model's file stem: a hash of the pipeline and the data, so unchanged content is not retrained."""
    digest = hashlib.sha256(pipeline.read_bytes() + nlu_yaml.encode()).hexdigest()[:16]
    return f"nlu-{digest}"


def rasa_executable(rasa_venv: Path) -> Path:
    """The `rasa` command of the Rasa environment, or a clear error on how to make one."""
    executable = (rasa_venv / "bin" / "rasa").absolute()
    if not executable.exists():
        raise NLUSetupError(f"no Rasa environment at {rasa_venv}: run `make setup` (it needs a Python 3.10), or set RASA_URL to a running Rasa server")
    return executable


JEMALLOC = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")


def rasa_environment() -> dict[str, str]:
    """The environment Rasa runs in: no telemetry, quiet TensorFlow, and, where the machine has
    jemalloc, an allocator that keeps freed memory.

    Training DIET allocates and frees buffers of tens of MB at every step; glibc hands them back to
    the kernel and takes them again, page fault by page fault. On this project's 2-core machines that
    doubled the training time (bench/nlu_accuracy.py, docs/benchmarks.md).
    """
    environment = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    if JEMALLOC.exists() and "LD_PRELOAD" not in environment:
        environment |= {"LD_PRELOAD": str(JEMALLOC), "MALLOC_CONF": "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1"}
    return environment


def train(
    content: Content, *, models_dir: Path, rasa_venv: Path, work_dir: Path, pipeline: Path = PIPELINE_CONFIG, echo: Callable[[str], None] = print,
) -> Path:
    """The model for this content and pipeline, trained with Rasa only if no model for them exists yet."""
    nlu_yaml = render_training_data(content)
    models_dir, work_dir = models_dir.absolute(), work_dir.absolute()
    target = models_dir / f"{model_name(nlu_yaml, pipeline)}.tar.gz"
    if target.exists():
        echo(f"NLU model up to date: {target}")
        return target
    data_file = work_dir / "data" / "nlu.yml"
    data_file.parent.mkdir(parents=True, exist_ok=True)
    data_file.write_text(nlu_yaml, encoding="utf-8")
    models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(rasa_executable(rasa_venv)), "train", "nlu", "--config", str(pipeline.absolute()), "--nlu", str(data_file),
        "--out", str(models_dir), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    echo(f"training the NLU model from {len(content.topics)} topics: {target.name}")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=rasa_environment(), cwd=work_dir) as process:
        assert process.stdout is not None
        for line in process.stdout:
            echo(line.rstrip())
    if process.returncode != 0 or not target.exists():
        raise NLUSetupError(f"Rasa training failed (exit {process.returncode}); see the output above")
    echo(f"NLU model trained: {target}")
    return target

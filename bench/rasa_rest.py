"""A plain Rasa assistant built from content/, served by Rasa's own REST channel: the yardstick.

Same NLU pipeline (nlu/rasa/config.yml) and the same training data (`nlu.render_training_data`), plus
what a plain assistant needs: a domain with one response per topic (the default language's answer)
and one rule per intent (`intent -> utter_<intent>`), RulePolicy only. Served by `rasa run` with
`credentials.yml` holding `rest:`, so a message goes in at `/webhooks/rest/webhook` and its answer
comes back in the response body.

The project lives in `.cache/bench/rasa-rest/`; its model is named by a hash of everything that goes
into it, so it is trained once per content and pipeline. Rasa's training cache cannot reuse the
components of `supportline train`: a full `rasa train` adds action and intent names from the domain
and rules to the NLU training data (rasa/shared/importers/importer.py, `E2EImporter`), so every
component's fingerprint differs and DIET is trained again. The training time is therefore recorded.
"""

import hashlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bot.content import Content, load_content
from bot.core.child_server import ChildServer
from bot.core.config import get_settings
from nlu import OUT_OF_SCOPE_INTENT, PIPELINE_CONFIG, render_training_data
from nlu._training import CITY_ENTITY, rasa_environment, rasa_executable

PROJECT_DIR = Path(".cache/bench/rasa-rest")


@dataclass(frozen=True)
class PlainAssistant:
    """A trained plain Rasa assistant: its model, and how long training took (None: it was already there)."""

    model: Path
    training_seconds: float | None
    log_file: Path
    epochs: int | None
    """DIET's epochs when overridden (quick runs); None: the kept pipeline's own."""


def _domain(content: Content, language: str) -> dict[str, object]:
    intents = [*sorted(content.topics), OUT_OF_SCOPE_INTENT]
    responses: dict[str, list[dict[str, str]]] = {
        f"utter_{topic_id}": [{"text": topic.translations[language].answer}] for topic_id, topic in sorted(content.topics.items())
    }
    responses[f"utter_{OUT_OF_SCOPE_INTENT}"] = [{"text": "Sorry, I can only help with questions about your situation in Sweden."}]
    return {"version": "3.1", "intents": intents, "entities": [CITY_ENTITY], "responses": responses,
            "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}


def _rules(content: Content) -> dict[str, object]:
    intents = [*sorted(content.topics), OUT_OF_SCOPE_INTENT]
    return {"version": "3.1", "rules": [{"rule": f"answer {intent}", "steps": [{"intent": intent}, {"action": f"utter_{intent}"}]} for intent in intents]}


def _config(epochs: int | None) -> dict[str, object]:
    config = yaml.safe_load(PIPELINE_CONFIG.read_text(encoding="utf-8"))
    config["policies"] = [{"name": "RulePolicy"}]
    if epochs is not None:  # --quick only: the same network, so the same serving cost, trained for fewer epochs
        for component in config["pipeline"]:
            if component["name"] == "DIETClassifier":
                component["epochs"] = epochs
    return dict(config)


def write_project(content: Content, *, language: str, epochs: int | None = None, project_dir: Path = PROJECT_DIR) -> tuple[Path, str]:
    """Write config, domain, data and credentials; return the project directory and the model's name.
    `epochs` overrides DIET's (quick runs only): serving cost depends on the network, not on how long it was trained."""
    files = {
        "config.yml": yaml.safe_dump(_config(epochs), allow_unicode=True, sort_keys=False),
        "domain.yml": yaml.safe_dump(_domain(content, language), allow_unicode=True, sort_keys=False, width=10_000),
        "data/rules.yml": yaml.safe_dump(_rules(content), allow_unicode=True, sort_keys=False),
        "data/nlu.yml": render_training_data(content),
        "credentials.yml": "rest:\n",
        "endpoints.yml": "",
    }
    digest = hashlib.sha256("".join(f"{name}\0{text}\0" for name, text in sorted(files.items())).encode()).hexdigest()[:16]
    for name, text in files.items():
        path = project_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project_dir.absolute(), f"plain-{digest}"


def build(content: Content, *, rasa_venv: Path, language: str, epochs: int | None = None, echo: Callable[[str], None] = print) -> PlainAssistant:
    """The plain assistant's model, trained with `rasa train` unless this exact project was trained before."""
    project, name = write_project(content, language=language, epochs=epochs)
    model = project / "models" / f"{name}.tar.gz"
    log_file = project / "train.log"
    if model.exists():
        return PlainAssistant(model, None, log_file, epochs)
    command = [
        str(rasa_executable(rasa_venv)), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", "models", "--fixed-model-name", name,
    ]
    echo(f"training the plain Rasa assistant (log: {log_file}) …")
    started = time.perf_counter()
    with log_file.open("w") as log, subprocess.Popen(command, cwd=project, stdout=log, stderr=subprocess.STDOUT, env=rasa_environment()) as process:
        try:
            process.wait()
        finally:
            if process.poll() is None:  # interrupted: no training left behind
                process.kill()
    if process.returncode != 0 or not model.exists():
        raise RuntimeError(f"training the plain Rasa assistant failed (exit {process.returncode}); see {log_file}")
    return PlainAssistant(model, time.perf_counter() - started, log_file, epochs)


class RasaRestServer(ChildServer):
    """`rasa run` with the REST channel (and no `--enable-api`: a plain deployment)."""

    name = "Rasa (REST)"
    start_timeout_seconds = 240.0

    def __init__(self, *, rasa_venv: Path, model: Path, port: int, log_file: Path) -> None:
        command = [
            str(rasa_executable(rasa_venv)), "run", "--model", str(model), "--credentials", str(model.parent.parent / "credentials.yml"),
            "--interface", "127.0.0.1", "--port", str(port),
        ]
        super().__init__(command=command, log_file=log_file, environment=rasa_environment())
        self.url = f"http://127.0.0.1:{port}"

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        response = await client.post(f"{self.url}/webhooks/rest/webhook", json={"sender": "warm-up", "message": "/greeting"})
        return response.status_code == 200


if __name__ == "__main__":  # train (or find) the plain assistant ahead of a run: `python -m bench.rasa_rest [EPOCHS]`
    settings = get_settings()
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else None
    print(build(load_content(settings.content_dir), rasa_venv=settings.rasa_venv, language=settings.default_language, epochs=epochs))

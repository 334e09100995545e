"""`supportline nlu eval` as a person runs it on a folder of messages: the figures it prints are what the bot decided."""

import re
import subprocess
from pathlib import Path

import yaml

from bot.evaluation import macro_f1
from bot.i18n import LANGUAGES
from tests.test_cli import SUPPORTLINE, _env


def _row(output: str, language: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(f"| {language} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_eval_scores_a_folder_through_the_bots_own_path(rasa_url: str, tmp_path: Path) -> None:
    for language in LANGUAGES:  # a crisis-only folder, like bench/nlu_dev2: no topics, no out-of-scope
        (tmp_path / f"{language}.yml").write_text(yaml.safe_dump({"crisis": [], "hard_negatives": []}), encoding="utf-8")
    (tmp_path / "sv.yml").write_text(yaml.safe_dump({
        "topics": {"rejection_next_steps": ["jag fick avslag på min asylansökan, vad gör jag nu"]},
        "crisis": ["jag vill ta livet av mig ikväll", "jag vill ta lviet av mig ikväll"],  # the second with a typo
        "hard_negatives": ["mobilen är död igen och laddaren är borta", "jag dog nästan av skratt"],
        "out_of_scope": ["vem vann derbyt i söndags"],
    }, allow_unicode=True), encoding="utf-8")
    result = subprocess.run([SUPPORTLINE, "nlu", "eval", "--data", str(tmp_path)], capture_output=True, text=True, env=_env(RASA_URL=rasa_url), check=True)
    language, messages, accuracy, _, recall, false_crises, fallback, _ = _row(result.stdout, "sv")
    assert (language, messages) == ("sv", "3")
    assert accuracy == "100.0%" and recall == "100.0% (2/2)" and false_crises == "0.0% (0/2)" and fallback == "100.0%", result.stdout
    assert _row(result.stdout, "en")[1:] == ["0", "–", "–", "– (0/0)", "– (0/0)", "–", "–"]  # nothing to measure, not 0 %
    assert re.search(r"\| all \| 3 \|", result.stdout)


def test_macro_f1_is_the_mean_over_the_expected_topics() -> None:
    # a: precision 1/2, recall 1/1 → F1 2/3; b: precision 0, recall 0 → 0; c: precision 1, recall 1/2 → 2/3
    assert abs(macro_f1(["a", "b", "c", "c"], ["a", "a", "c", "(fallback)"]) - (2 / 3 + 0 + 2 / 3) / 3) < 1e-9
    assert macro_f1([], []) == 0.0

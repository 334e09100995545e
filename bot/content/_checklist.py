"""The counsellors' risk checklist (`content/risk_checklist.yml`), ticked when a case is closed."""

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.core.errors import ContentError

CHECKLIST_FILE = "risk_checklist.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChecklistItem(_Strict):
    """One thing to tick, in the console's two languages."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    sv: str
    en: str


class ChecklistSection(_Strict):
    """A heading and its items."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: dict[str, str]
    items: list[ChecklistItem] = Field(min_length=1)


class RiskChecklist(_Strict):
    """The whole checklist with where it comes from."""

    source: str
    reviewed: date
    sections: list[ChecklistSection] = Field(min_length=1)

    def item_ids(self) -> set[str]:
        """Every item id (what a wrap-up may tick)."""
        return {item.id for section in self.sections for item in section.items}


def load_risk_checklist(content_dir: Path) -> RiskChecklist:
    """Read and check the checklist; a broken file is a ContentError naming it."""
    path = content_dir / CHECKLIST_FILE
    try:
        return RiskChecklist.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ContentError([f"{path}: {exc}"]) from exc

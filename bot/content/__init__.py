"""The content NGO staff edit under `content/`: schema, loading, checking and live reloading."""

from bot.content._checklist import RiskChecklist, load_risk_checklist
from bot.content._loader import check_content, content_files, load_content
from bot.content._model import CRISIS_TOPIC, REQUIRED_TOPICS, Content, NearbyPlace, normalise
from bot.content._report import ModelCheck, check_examples, render_report, survey
from bot.content._schema import City, OpeningHours, Place, Source, Topic, TopicText
from bot.content._stats import render_stats
from bot.content._store import ContentStore
from bot.content._yaml import Problem

__all__ = [
    "CRISIS_TOPIC", "REQUIRED_TOPICS", "City", "Content", "ContentStore", "NearbyPlace", "OpeningHours", "Place", "Problem",
    "RiskChecklist", "Source", "Topic", "load_risk_checklist", "TopicText", "check_content", "content_files", "load_content", "normalise", "render_stats",
    "ModelCheck", "check_examples", "render_report", "survey",
]

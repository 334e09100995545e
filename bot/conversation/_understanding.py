"""Understanding free text: topic, confidence, crisis, city. What `classify` prints is what the bot acts on."""

import logging
from dataclasses import dataclass

from bot.content import Content
from nlu import CITY_ENTITY, NLUError, NLUUnavailable, Parse, RasaClient

log = logging.getLogger(__name__)

CRISIS_TOPIC = "crisis"
SUGGESTIONS = 3


@dataclass(frozen=True)
class Understanding:
    """What one free-text message is about."""

    topic: str | None
    """The topic to answer, or None when the model is not confident enough."""
    confidence: float | None
    crisis: bool
    suggestions: tuple[str, ...]
    city: str | None
    nlu_available: bool


class Understander:
    """Rasa's classification, turned into decisions with the configured thresholds."""

    def __init__(self, nlu: RasaClient, *, confidence_threshold: float, crisis_threshold: float) -> None:
        self._nlu = nlu
        self._confidence_threshold = confidence_threshold
        self._crisis_threshold = crisis_threshold

    async def ready(self) -> bool:
        """Whether the NLU server answers."""
        try:
            await self._nlu.status()
        except NLUError:
            return False
        return True

    async def understand(self, text: str, content: Content) -> Understanding:
        """Classify `text`; when Rasa is down, say so instead of guessing."""
        try:
            parse = await self._nlu.parse(text)
        except NLUError as exc:
            level = logging.WARNING if isinstance(exc, NLUUnavailable) else logging.ERROR
            log.log(level, "NLU failed, answering without it: %s", exc)
            return Understanding(None, None, False, (), content.city_named(text), nlu_available=False)
        return self._decide(parse, content)

    def _decide(self, parse: Parse, content: Content) -> Understanding:
        known = [(topic, confidence) for topic, confidence in parse.ranking if topic in content.topics]
        crisis = parse.intent == CRISIS_TOPIC or any(t == CRISIS_TOPIC and c >= self._crisis_threshold for t, c in known)
        confident = parse.intent in content.topics and parse.confidence >= self._confidence_threshold
        topic = CRISIS_TOPIC if crisis else parse.intent if confident else None
        cities = [content.city_named(entity.value) for entity in parse.entities if entity.entity == CITY_ENTITY]
        return Understanding(
            topic=topic,
            confidence=round(parse.confidence, 4),
            crisis=crisis,
            suggestions=tuple(t for t, _ in known[:SUGGESTIONS]),
            city=next((city for city in cities if city), None),
            nlu_available=True,
        )

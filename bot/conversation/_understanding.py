"""Understanding free text: topic, confidence, crisis, language, city. What `classify` prints is what the bot acts on."""

import logging
from dataclasses import dataclass

from bot import metrics
from bot.content import CRISIS_TOPIC, Content
from nlu import CITY_ENTITY, OUT_OF_SCOPE_INTENT, LanguageGuess, LanguageIdentifier, NLUError, NLUUnavailable, Parse, RasaClient

log = logging.getLogger(__name__)

EXPLOITATION_TOPIC = "exploitation_risk"
SUGGESTIONS = 3


@dataclass(frozen=True)
class Understanding:
    """What one free-text message is about."""

    topic: str | None
    """The topic to answer, or None when the model is not confident enough or it is out of scope."""
    confidence: float | None
    crisis: bool
    """A crisis phrase from the safety net, or Rasa's `crisis` intent (unless the message is a harmless idiom)."""
    exploitation: bool
    out_of_scope: bool
    suggestions: tuple[str, ...]
    city: str | None
    language: LanguageGuess | None
    nlu_available: bool


class Understander:
    """Rasa's classification and the crisis safety net, turned into decisions with the configured thresholds."""

    def __init__(self, nlu: RasaClient, *, confidence_threshold: float, crisis_threshold: float) -> None:
        self._nlu = nlu
        self._languages = LanguageIdentifier()
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
        """Classify `text`; when Rasa is down, the safety net and city names still work."""
        language = self._languages.identify(text)
        signal = content.safety.check(text)
        try:
            parse = await self._nlu.parse(text)
        except NLUError as exc:
            level = logging.WARNING if isinstance(exc, NLUUnavailable) else logging.ERROR
            log.log(level, "NLU failed, answering without it: %s", exc)
            metrics.nlu_failed(unavailable=isinstance(exc, NLUUnavailable))
            crisis, exploitation = signal.crisis is not None, signal.exploitation is not None
            topic = _topic(None, crisis=crisis, exploitation=exploitation)
            return Understanding(topic, None, crisis, exploitation, False, (), content.city_named(text), language, nlu_available=False)
        known = [(topic, confidence) for topic, confidence in parse.ranking if topic in content.topics]
        rasa_crisis = parse.intent == CRISIS_TOPIC or any(t == CRISIS_TOPIC and c >= self._crisis_threshold for t, c in known)
        crisis = signal.crisis is not None or (rasa_crisis and signal.harmless_idiom is None)
        confident = parse.confidence >= self._confidence_threshold
        out_of_scope = confident and parse.intent == OUT_OF_SCOPE_INTENT and not crisis
        exploitation = not crisis and (signal.exploitation is not None or (confident and parse.intent == EXPLOITATION_TOPIC))
        classified = parse.intent if confident and parse.intent in content.topics else None
        topic = _topic(classified, crisis=crisis, exploitation=exploitation)
        return Understanding(
            topic=topic,
            confidence=round(parse.confidence, 4),
            crisis=crisis,
            exploitation=exploitation,
            out_of_scope=out_of_scope,
            suggestions=tuple(t for t, _ in known[:SUGGESTIONS]),
            city=_city(parse, content),
            language=language,
            nlu_available=True,
        )


def _topic(classified: str | None, *, crisis: bool, exploitation: bool) -> str | None:
    """Crisis first, then exploitation, then what the classifier was confident about (if anything)."""
    if crisis:
        return CRISIS_TOPIC
    if exploitation:
        return EXPLOITATION_TOPIC
    return classified


def _city(parse: Parse, content: Content) -> str | None:
    cities = [content.city_named(entity.value) for entity in parse.entities if entity.entity == CITY_ENTITY]
    return next((city for city in cities if city), None)

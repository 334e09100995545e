"""A small async client for Rasa's HTTP API (`POST /model/parse`)."""

from dataclasses import dataclass

import httpx

from nlu._errors import NLUError, NLUUnavailable


@dataclass(frozen=True)
class Entity:
    """An entity Rasa found, e.g. a city name."""

    entity: str
    value: str


@dataclass(frozen=True)
class Parse:
    """What Rasa understood of one message."""

    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    entities: tuple[Entity, ...]


class RasaClient:
    """Talks to one Rasa server; every failure becomes an `NLUError`."""

    def __init__(self, base_url: str, *, timeout_seconds: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def parse(self, text: str) -> Parse:
        """Intent, confidence, ranking and entities of `text`."""
        try:
            response = await self._http.post("/model/parse", json={"text": text})
        except httpx.TransportError as exc:
            raise NLUUnavailable(f"Rasa at {self._http.base_url} did not answer: {exc!r}") from exc
        if response.status_code != 200:
            raise NLUError(f"Rasa answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
            intent = body["intent"]
            return Parse(
                intent=intent["name"],
                confidence=float(intent["confidence"]),
                ranking=tuple((item["name"], float(item["confidence"])) for item in body.get("intent_ranking", [])),
                entities=tuple(Entity(item["entity"], str(item["value"])) for item in body.get("entities", [])),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise NLUError(f"Rasa answered something unexpected: {response.text[:200]}") from exc

    async def status(self) -> dict[str, object]:
        """Rasa's `/status`: which model it serves."""
        try:
            response = await self._http.get("/status")
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NLUUnavailable(f"Rasa at {self._http.base_url} is not ready: {exc!r}") from exc

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

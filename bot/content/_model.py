"""The loaded, validated content, and the questions the conversation core asks of it."""

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from bot.content._normalise import normalise
from bot.content._safety import SafetyNet
from bot.content._schema import City, Place, Topic

CRISIS_TOPIC = "crisis"
REQUIRED_TOPICS: tuple[str, ...] = (
    "rejection_next_steps", "rights", "healthcare", "school", "guardian", "legal_help", "safe_places",
    "shelter_basic_needs", "police_deportation", "age_assessment", "family_contact", "exploitation_risk",
    "mental_health", CRISIS_TOPIC, "missing_friend", "talk_to_human", "privacy", "return_options",
    "greeting", "thanks", "goodbye",
)
_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class NearbyPlace:
    """A place and how far away it is."""

    place_id: str
    place: Place
    distance_km: float


@dataclass(frozen=True)
class Content:
    """One consistent version of everything under `content/`."""

    topics: Mapping[str, Topic]
    places: Mapping[str, Place]
    cities: Mapping[str, City]
    menu: tuple[str, ...]
    safety: SafetyNet
    out_of_scope: Mapping[str, tuple[str, ...]]
    """Per language, examples of messages the support line does not answer (trained as their own intent)."""
    version: str

    def __post_init__(self) -> None:
        spellings: dict[str, str] = {}
        for city_id, city in self.cities.items():
            for spelling in (city_id, *city.names.values(), *city.variants):
                spellings[normalise(spelling)] = city_id
        object.__setattr__(self, "_city_spellings", MappingProxyType(spellings))

    def city_named(self, text: str) -> str | None:
        """The id of the city that `text` names (any spelling, inside a sentence too), if any."""
        words = normalise(text).split()
        spellings: Mapping[str, str] = self._city_spellings  # type: ignore[attr-defined]
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                city_id = spellings.get(" ".join(words[start : start + size]))
                if city_id:
                    return city_id
        return None

    def places_in(self, city_id: str) -> list[tuple[str, Place]]:
        """The places in a city, in file order."""
        return [(place_id, place) for place_id, place in self.places.items() if place.city == city_id]

    def nearest_places(self, lat: float, lon: float, limit: int = 3) -> list[NearbyPlace]:
        """The `limit` places closest to a point, nearest first (places without coordinates left out)."""
        nearby = [
            NearbyPlace(place_id, place, _distance_km(lat, lon, place.coordinates.lat, place.coordinates.lon))
            for place_id, place in self.places.items()
            if place.coordinates is not None
        ]
        return sorted(nearby, key=lambda item: item.distance_km)[:limit]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))  # rounding can push `a` just past 1

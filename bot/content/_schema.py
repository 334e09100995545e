"""The shape of the content files, as pydantic models: what NGO staff may write, and nothing else."""

import re
from datetime import date, time
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.i18n import LANGUAGES

MAX_ANSWER_CHARS = 900
MAX_TITLE_CHARS = 40
MIN_EXAMPLES = 8
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(f"bad URL {value!r}: it must start with https:// and name a host")
    return value


def _telegram_safe_markdown(value: str) -> str:
    if len(value) > MAX_ANSWER_CHARS:
        raise ValueError(f"answer is {len(value)} characters long (at most {MAX_ANSWER_CHARS})")
    for _label, url in _LINK.findall(value):
        _https_url(url)
    plain = _LINK.sub(r"\1", value)
    if "](" in plain or "[" in plain:
        raise ValueError("broken link: write links as [text](https://...)")
    if plain.count("*") % 2:
        raise ValueError("unbalanced '*': bold text needs a '*' on both sides")
    if re.search(r"<[a-zA-Z/]", plain):
        raise ValueError("HTML is not allowed in answers: use *bold* and [text](https://...)")
    return value


def _not_a_command(value: str) -> str:
    # The channels read a message starting with "/" as a command: such an example never reaches the model.
    if value.startswith("/"):
        raise ValueError(f"the example {value!r} starts with '/': it is read as a command, never as a question")
    return value


def _language_code(value: str) -> str:
    try:
        Locale.parse(value, sep="-")
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"unknown language code {value!r}") from exc
    return value


def _clock(value: str) -> str:
    try:
        time.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"invalid opening hours: {value!r} is not a time like 09:30") from exc
    if not re.fullmatch(r"\d\d:\d\d", value):
        raise ValueError(f"invalid opening hours: write {value!r} as HH:MM")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Example = Annotated[Text, AfterValidator(_not_a_command)]
HttpsUrl = Annotated[str, AfterValidator(_https_url)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
Status = Literal["reviewed", "draft"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must never silently drop a text."""

    model_config = ConfigDict(extra="forbid", frozen=True)


T = TypeVar("T")


def _all_languages(texts: dict[str, T]) -> dict[str, T]:
    unknown = [f"unknown language {language!r}" for language in texts if language not in LANGUAGES]
    missing = [f"missing language {language!r}" for language in LANGUAGES if language not in texts]
    if unknown or missing:
        raise ValueError("; ".join(unknown + missing) + f" (the languages are {', '.join(LANGUAGES)})")
    return texts


PerLanguage = Annotated[dict[str, T], AfterValidator(_all_languages)]


class Source(_Strict):
    """Where a fact comes from."""

    title: Text
    url: HttpsUrl


class TopicText(_Strict):
    """One topic in one language."""

    status: Status
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_telegram_safe_markdown)]
    examples: Annotated[list[Example], Field(min_length=MIN_EXAMPLES)]


class Topic(_Strict):
    """Something young people ask about: an answer and example questions in every language."""

    reviewed: date
    sources: Annotated[list[Source], Field(min_length=1)]
    follow_ups: list[Identifier] = []
    translations: PerLanguage[TopicText]


class OpeningHours(_Strict):
    """The same hours on a set of weekdays."""

    days: Annotated[list[Weekday], Field(min_length=1)]
    opens: Annotated[str, AfterValidator(_clock)]
    closes: Annotated[str, AfterValidator(_clock)]

    @model_validator(mode="after")
    def _closes_after_opening(self) -> "OpeningHours":
        if self.closes <= self.opens:
            raise ValueError(f"invalid opening hours: closes at {self.closes}, not after it opens at {self.opens}")
        return self


class Coordinates(_Strict):
    """A point in Sweden."""

    lat: Annotated[float, Field(ge=55.0, le=69.1)]
    lon: Annotated[float, Field(ge=10.9, le=24.2)]


class Contact(_Strict):
    """Verified ways to reach a place."""

    phone: Text | None = None
    email: Text | None = None
    web: HttpsUrl | None = None


class PlaceText(_Strict):
    """A place's description in one language."""

    status: Status
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Place(_Strict):
    """A safe meeting place run by a real organisation."""

    name: Text
    organisation: Text
    city: Identifier
    county: Text
    address: Text | None = None
    coordinates: Coordinates | None = None
    opening_hours: list[OpeningHours] = []
    languages: Annotated[list[Annotated[str, AfterValidator(_language_code)]], Field(min_length=1)]
    anonymous: bool
    contact: Contact = Contact()
    source: HttpsUrl
    reviewed: date
    translations: PerLanguage[PlaceText]

    @model_validator(mode="after")
    def _coordinates_need_an_address(self) -> "Place":
        if self.coordinates is not None and self.address is None:
            raise ValueError("coordinates without an address: give the verified address they belong to")
        return self


class City(_Strict):
    """A city with places, and the ways young people write its name."""

    names: PerLanguage[Text]
    variants: list[Text] = []


class Menu(_Strict):
    """The topics offered as buttons in the main menu, in order."""

    topics: Annotated[list[Identifier], Field(min_length=1)]


class SafetyList(_Strict):
    """One language's crisis signals (`content/safety/<language>.yml`)."""

    status: Status
    crisis: Annotated[list[Text], Field(min_length=1)]
    exploitation: list[Text] = []
    not_crisis: list[Text] = []


class OutOfScope(_Strict):
    """Examples of messages the support line does not answer, per language."""

    examples: PerLanguage[Annotated[list[Example], Field(min_length=MIN_EXAMPLES)]]

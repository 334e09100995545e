"""Building the replies a young person sees, from content and catalogs, in their language."""

from urllib.parse import urlsplit

from babel.dates import format_datetime, get_day_names
from babel.numbers import format_decimal

from bot.content import Content, NearbyPlace, OpeningHours, Place, Source
from bot.conversation._payloads import city_payload, command_payload, language_payload, topic_payload
from bot.conversation._types import Button, Reply
from bot.i18n import LANGUAGES, Catalogs, babel_locale, language_name
from handoff import WaitStatus

HUMAN_TOPIC = "talk_to_human"
_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Replies:
    """Every kind of reply, in one language, from one version of the content."""

    def __init__(self, *, content: Content, catalogs: Catalogs, language: str) -> None:
        self.content = content
        self.language = language
        self._catalogs = catalogs

    def text(self, message_id: str, **values: object) -> str:
        """An interface string in this language."""
        return self._catalogs.text(self.language, message_id, **values)

    def title(self, topic_id: str) -> str:
        """A topic's button label in this language."""
        return self.content.topics[topic_id].translations[self.language].title

    def topic_button(self, topic_id: str) -> Button:
        """A button that opens a topic."""
        return Button(self.title(topic_id), topic_payload(topic_id))

    def human_button(self) -> Button:
        """The always-present way to a person."""
        return Button(self.text("button.human"), command_payload("human"))

    def command_descriptions(self) -> tuple[tuple[str, str], ...]:
        """The commands a channel lists in its menu, each with a short description."""
        return (
            ("start", self.text("commands.start")),
            ("menu", self.text("commands.menu")),
            ("human", self.text("commands.human")),
            ("language", self.text("commands.language")),
            ("help", self.text("commands.help")),
            ("forget", self.text("commands.forget")),
        )

    def welcome(self) -> Reply:
        """The first message: who we are, the privacy promise, the language menu."""
        text = "\n\n".join((self.text("start.welcome"), self.text("start.privacy"), self.text("language.choose")))
        return Reply(text, self._language_buttons())

    def language_menu(self) -> Reply:
        """Every language, each named in its own script."""
        return Reply(self.text("language.choose"), self._language_buttons())

    def language_offer(self, *, keep_label: str) -> Reply:
        """In this language: "shall I write in it?", with a button to switch and one to keep the current language."""
        return Reply(self.text("language.offer_switch"), (Button(language_name(self.language), language_payload(self.language)), Button(keep_label, command_payload("menu"))))

    def topic_menu(self, message_id: str) -> Reply:
        """A short message followed by the main menu of topics."""
        return Reply(self.text(message_id), tuple(self.topic_button(topic_id) for topic_id in self.content.menu))

    def with_menu(self, message_id: str) -> Reply:
        """A short message followed by the topic menu and the way to a person."""
        menu = self.topic_menu(message_id)
        human = () if HUMAN_TOPIC in self.content.menu else (self.human_button(),)
        return Reply(menu.text, menu.buttons + human)

    def answer(self, topic_id: str) -> Reply:
        """A topic's answer with its sources, follow-up buttons and the way to a person."""
        topic = self.content.topics[topic_id]
        sources = ", ".join(f"[{host}]({url})" for host, url in _first_url_per_site(topic.sources))
        source_label = self.text("source")
        text = f"{topic.translations[self.language].answer}\n\n{source_label}: {sources}"
        buttons = [self.topic_button(follow_up) for follow_up in topic.follow_ups if follow_up in self.content.topics]
        if topic_id != HUMAN_TOPIC and HUMAN_TOPIC not in topic.follow_ups:
            buttons.append(self.human_button())
        buttons.append(Button(self.text("button.menu"), command_payload("menu")))
        return Reply(text, tuple(buttons))

    def suggestions(self, message_id: str, topic_ids: tuple[str, ...]) -> Reply:
        """"Did you mean…": the likeliest topics and a person."""
        buttons = tuple(self.topic_button(topic_id) for topic_id in topic_ids if topic_id != HUMAN_TOPIC)
        return Reply(self.text(message_id), buttons + (self.human_button(),))

    def wait_status(self, status: WaitStatus) -> Reply:
        """Where the young person stands in the queue: honest about waits, closed hours and empty shifts."""
        if not status.open_now:
            opens = format_datetime(status.opens_at, "EEEE HH:mm", locale=babel_locale(self.language)) if status.opens_at else "?"
            return Reply(self.text("handoff.closed", opens=opens))
        if status.counsellors_online == 0:
            return Reply(self.text("handoff.nobody_online"))
        position = self.text("handoff.position", position=status.position)
        if status.estimate_minutes is None:
            expect = self.text("handoff.no_estimate")
        else:
            expect = self.text("handoff.estimate", minutes=status.estimate_minutes)
        return Reply(f"{position} {expect}")

    def ask_city(self) -> Reply:
        """Which city? One button per city that has places."""
        cities = sorted({place.city for place in self.content.places.values()})
        buttons = tuple(Button(self.content.cities[city].names[self.language], city_payload(city)) for city in cities)
        return Reply(self.text("places.ask_city"), buttons + (self.human_button(),))

    def places_in_city(self, city_id: str) -> Reply:
        """The safe places of one city."""
        city = self.content.cities[city_id].names[self.language]
        places = self.content.places_in(city_id)
        if not places:
            return Reply(self.text("places.none_in_city", city=city), (self.human_button(),))
        heading = self.text("places.in_city", city=city)
        blocks = [self._place(place) for _, place in places]
        return Reply("\n\n".join([f"*{heading}*", *blocks]), (self.human_button(),))

    def nearest_places(self, nearby: list[NearbyPlace]) -> Reply:
        """The places closest to a shared location, with distances."""
        blocks = [
            self._place(item.place) + "\n" + self.text("places.distance", km=format_decimal(round(item.distance_km, 1), locale=babel_locale(self.language)))
            for item in nearby
        ]
        heading = self.text("places.near_you")
        text = "\n\n".join([f"*{heading}*", *blocks, self.text("places.location_not_stored")])
        return Reply(text, (self.human_button(),))

    def _place(self, place: Place) -> str:
        lines = [f"*{place.name}*"]
        if place.address:
            lines.append(place.address)
        if place.opening_hours:
            lines.append(self.text("places.open", hours="; ".join(self._hours(hours) for hours in place.opening_hours)))
        if place.anonymous:
            lines.append(self.text("places.no_id_needed"))
        lines.append(place.translations[self.language].description)
        if place.contact.phone:
            lines.append(place.contact.phone)
        lines.append(f"[{place.organisation}]({place.contact.web or place.source})")
        return "\n".join(lines)

    def _hours(self, hours: OpeningHours) -> str:
        names = get_day_names("abbreviated", locale=babel_locale(self.language))
        indexes = sorted(_WEEK.index(day) for day in hours.days)
        consecutive = len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1))
        days = f"{names[indexes[0]]}–{names[indexes[-1]]}" if consecutive else ", ".join(names[i] for i in indexes)
        return f"{days} {hours.opens}–{hours.closes}"

    def _language_buttons(self) -> tuple[Button, ...]:
        return tuple(Button(language_name(language), language_payload(language)) for language in LANGUAGES)


def _first_url_per_site(sources: list[Source]) -> list[tuple[str, str]]:
    """One link per website (`migrationsverket.se`), so the source line stays short."""
    sites: dict[str, str] = {}
    for source in sources:
        sites.setdefault(urlsplit(source.url).netloc.removeprefix("www."), source.url)
    return list(sites.items())

"""Whole conversations through the core, with a trained Rasa model served by Rasa, on a real database."""

import secrets

from sqlalchemy import select

from bot.content import load_content
from bot.conversation import ConversationCore, Incoming, Location, Turn
from bot.i18n import LANGUAGES, Catalogs, language_name
from bot.runtime import conversation_core
from bot.storage import Conversation, Database, HandoffRequest
from nlu import RasaClient
from tests.conftest import CONTENT_DIR, test_settings

CONTENT = load_content(CONTENT_DIR)
CATALOGS = Catalogs()


class Chat:
    """One young person talking to the core."""

    def __init__(self, core: ConversationCore, locale_hint: str | None = None) -> None:
        self.core = core
        self.conversation_id = secrets.token_hex(16)
        self.locale_hint = locale_hint

    async def say(self, text: str) -> Turn:
        return await self.core.handle(Incoming(self.conversation_id, "test", text=text, locale_hint=self.locale_hint))

    async def press(self, payload: str) -> Turn:
        return await self.core.handle(Incoming(self.conversation_id, "test", payload=payload))

    async def share(self, lat: float, lon: float) -> Turn:
        return await self.core.handle(Incoming(self.conversation_id, "test", location=Location(lat, lon)))


def answer(topic_id: str, language: str) -> str:
    return CONTENT.topics[topic_id].translations[language].answer


def payloads(turn: Turn) -> list[str]:
    return [button.payload for reply in turn.replies for button in reply.buttons]


async def handoff_requests(database: Database, conversation_id: str) -> list[HandoffRequest]:
    async with database.session() as session:
        return list(await session.scalars(select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)))


async def stored_conversation(database: Database, conversation_id: str) -> Conversation | None:
    async with database.session() as session:
        return await session.get(Conversation, conversation_id)


async def test_start_offers_every_language_in_its_own_script(core: ConversationCore) -> None:
    turn = await Chat(core).say("/start")

    welcome = turn.replies[0]
    assert CATALOGS.text("sv", "start.privacy") in welcome.text
    assert [b.label for b in welcome.buttons] == ["Svenska", "English", "العربية", "دری", "پښتو", "Soomaali", "ትግርኛ"]
    assert [b.payload for b in welcome.buttons] == [f"lang:{language}" for language in LANGUAGES]
    assert turn.topic is None and not turn.crisis


async def test_a_whole_conversation_in_swedish(core: ConversationCore, database: Database) -> None:
    chat = Chat(core)
    await chat.say("/start")

    menu = await chat.press("lang:sv")
    assert menu.language == "sv" and menu.direction == "ltr"
    assert [b.label for b in menu.replies[0].buttons] == [CONTENT.topics[t].translations["sv"].title for t in CONTENT.menu]

    rejection = await chat.say("jag fick avslag på min asylansökan")
    assert rejection.topic == "rejection_next_steps" and rejection.confidence and rejection.confidence >= 0.5
    assert rejection.replies[0].text.startswith(answer("rejection_next_steps", "sv"))
    assert "migrationsverket.se" in rejection.replies[0].text
    assert "topic:legal_help" in payloads(rejection) and "cmd:menu" in payloads(rejection)

    legal = await chat.press("topic:legal_help")
    assert legal.topic == "legal_help" and legal.replies[0].text.startswith(answer("legal_help", "sv"))

    crisis = await chat.say("jag vill inte leva längre")
    assert crisis.crisis and crisis.topic == "crisis" and crisis.handoff == "urgent"
    assert crisis.replies[0].text.startswith(answer("crisis", "sv")) and "112" in crisis.replies[0].text
    assert [(r.priority, r.state) for r in await handoff_requests(database, chat.conversation_id)] == [("urgent", "queued")]

    forgotten = await chat.say("/forget")
    assert forgotten.replies[0].text == CATALOGS.text("sv", "forget.done")
    assert await stored_conversation(database, chat.conversation_id) is None
    assert await handoff_requests(database, chat.conversation_id) == []


async def test_low_confidence_says_so_and_offers_the_likeliest_topics_and_a_person(database_url: str, rasa_url: str) -> None:
    message = "jag vet inte riktigt vad jag ska fråga om avslaget"
    nlu = RasaClient(rasa_url, timeout_seconds=10)
    parse = await nlu.parse(message)
    await nlu.aclose()
    threshold = 0.9999
    assert parse.confidence < threshold  # an unsure message, so the test is about the low-confidence path
    strict = test_settings(database_url=database_url, rasa_url=rasa_url, nlu_confidence_threshold=threshold)
    async with conversation_core(strict) as core:
        chat = Chat(core)
        await chat.press("lang:sv")
        unsure = await chat.say(message)
    assert unsure.topic is None and unsure.confidence == round(parse.confidence, 4)
    assert unsure.replies[0].text == CATALOGS.text("sv", "nlu.unsure")
    likeliest = [t for t, _ in parse.ranking if t in CONTENT.topics][:3]
    assert [p for p in payloads(unsure) if p.startswith("topic:")] == [f"topic:{t}" for t in likeliest if t != "talk_to_human"]
    assert payloads(unsure)[-1] == "cmd:human"


async def test_a_whole_conversation_in_arabic_right_to_left(core: ConversationCore, database: Database) -> None:
    chat = Chat(core, locale_hint="ar")
    welcome = await chat.say("/start")
    assert welcome.language == "ar" and welcome.direction == "rtl"
    assert CATALOGS.text("ar", "start.welcome") in welcome.replies[0].text

    await chat.press("lang:ar")
    rejection = await chat.say("رفضوا طلب اللجوء تبعي، شو لازم اعمل؟")
    assert rejection.topic == "rejection_next_steps" and rejection.direction == "rtl"
    assert rejection.replies[0].text.startswith(answer("rejection_next_steps", "ar"))

    places = await chat.say("هل يوجد مكان آمن في مالمو؟")
    assert places.topic == "safe_places"
    malmo = [place.name for _, place in CONTENT.places_in("malmo")]
    assert malmo and all(name in places.replies[0].text for name in malmo)

    crisis = await chat.say("أريد أن أقتل نفسي")
    assert crisis.crisis and crisis.handoff == "urgent" and "112" in crisis.replies[0].text

    await chat.press("cmd:forget")
    assert await stored_conversation(database, chat.conversation_id) is None


async def test_a_whole_conversation_in_tigrinya(core: ConversationCore, database: Database) -> None:
    chat = Chat(core)
    await chat.say("/start")
    chosen = await chat.press("lang:ti")
    assert chosen.language == "ti" and chosen.replies[0].text == CATALOGS.text("ti", "language.set")

    rejection = await chat.say("ናይ ዑቕባ ሕቶይ ተነጺጉ")
    assert rejection.topic == "rejection_next_steps"
    assert rejection.replies[0].text.startswith(answer("rejection_next_steps", "ti"))

    school = await chat.press("topic:school")
    assert school.replies[0].text.startswith(answer("school", "ti"))

    human = await chat.say("/human")
    assert human.handoff == "normal" and human.replies[0].text.startswith(answer("talk_to_human", "ti"))
    again = await chat.press("cmd:human")
    assert again.replies[0].text == CATALOGS.text("ti", "handoff.already_waiting")
    assert len(await handoff_requests(database, chat.conversation_id)) == 1

    crisis = await chat.say("ክሞት ደልየ ኣለኹ")
    assert crisis.crisis and crisis.handoff == "urgent"
    assert [r.priority for r in await handoff_requests(database, chat.conversation_id)] == ["urgent"]


async def test_an_explicit_language_choice_wins_over_the_language_written(core: ConversationCore) -> None:
    chat = Chat(core, locale_hint="en")
    await chat.press("lang:so")
    turn = await chat.say("I got a rejection on my asylum application")
    assert turn.language == "so" and turn.topic == "rejection_next_steps"
    assert turn.replies[0].text.startswith(answer("rejection_next_steps", "so"))


async def test_safe_places_by_asking_for_the_city_and_by_location(core: ConversationCore, database: Database) -> None:
    chat = Chat(core)
    await chat.press("lang:en")
    asked = await chat.press("topic:safe_places")
    assert asked.replies[0].text == answer("safe_places", "en")
    assert asked.replies[1].text == CATALOGS.text("en", "places.ask_city")
    assert {"city:stockholm", "city:goteborg", "city:malmo", "city:uppsala"} <= set(payloads(asked))

    gothenburg = await chat.say("gothenburg")
    assert gothenburg.topic == "safe_places"
    assert all(place.name in gothenburg.replies[0].text for _, place in CONTENT.places_in("goteborg"))

    near = await chat.share(59.3174, 18.0645)  # Mariatorget, Stockholm
    text = near.replies[0].text
    assert text.startswith("*" + CATALOGS.text("en", "places.near_you") + "*")
    assert CATALOGS.text("en", "places.location_not_stored") in text
    nearest = CONTENT.nearest_places(59.3174, 18.0645)[0]
    assert nearest.place.city == "stockholm" and text.index(nearest.place.name) < text.index("km")
    stored = await stored_conversation(database, chat.conversation_id)
    assert stored is not None and "59.31" not in repr(vars(stored))


async def test_asking_for_a_person_after_exploitation_is_high_priority(core: ConversationCore, database: Database) -> None:
    chat = Chat(core)
    await chat.press("lang:en")
    turn = await chat.say("a man says I can sleep at his place if I work for him for free")
    assert turn.topic == "exploitation_risk" and not turn.crisis and turn.handoff is None
    human = await chat.press("cmd:human")
    assert human.handoff == "high"
    assert [r.priority for r in await handoff_requests(database, chat.conversation_id)] == ["high"]


async def test_commands_work_in_every_state_and_unknown_ones_get_the_menu(core: ConversationCore) -> None:
    chat = Chat(core)
    await chat.press("lang:fa-AF")
    await chat.press("topic:safe_places")  # now waiting for a city
    help_turn = await chat.say("/help")
    assert help_turn.replies[0].text == CATALOGS.text("fa-AF", "help.text") and help_turn.direction == "rtl"
    language = await chat.say("/language@SupportLineBot")
    assert [b.label for b in language.replies[0].buttons] == [language_name(code) for code in LANGUAGES]
    unknown = await chat.say("/nonsense")
    assert unknown.replies[0].text == CATALOGS.text("fa-AF", "command.unknown")
    stale = await chat.press("topic:a_topic_that_was_removed")
    assert stale.replies[0].text == CATALOGS.text("fa-AF", "command.unknown")


async def test_after_a_choice_the_bot_offers_to_switch_language_but_never_switches(core: ConversationCore) -> None:
    chat = Chat(core)
    await chat.press("lang:sv")
    first = await chat.say("where can I see a doctor without papers")
    assert first.language == "sv" and len(first.replies) == 1
    second = await chat.say("do I have the right to go to school here")
    assert second.language == "sv" and second.topic == "school"
    assert second.replies[0].text.startswith(answer("school", "sv"))
    offer = second.replies[-1]
    assert offer.text == CATALOGS.text("en", "language.offer_switch")
    assert [(b.label, b.payload) for b in offer.buttons] == [("English", "lang:en"), (CATALOGS.text("sv", "language.keep"), "cmd:menu")]
    switched = await chat.press("lang:en")
    assert switched.language == "en"


async def test_before_any_choice_the_bot_answers_in_the_language_written(core: ConversationCore) -> None:
    chat = Chat(core)
    turn = await chat.say("حصلت على رفض لطلب اللجوء من مصلحة الهجرة")
    assert turn.language == "ar" and turn.direction == "rtl" and turn.topic == "rejection_next_steps"
    assert turn.replies[0].text.startswith(answer("rejection_next_steps", "ar"))


async def test_out_of_scope_and_harmless_idioms_get_no_topic_and_no_crisis(core: ConversationCore) -> None:
    chat = Chat(core)
    await chat.press("lang:en")
    football = await chat.say("who won the football match between arsenal and chelsea yesterday")
    assert football.topic is None and not football.crisis
    assert football.replies[0].text == CATALOGS.text("en", "nlu.out_of_scope")
    idiom = await chat.say("my phone is dead lol")
    assert not idiom.crisis and idiom.handoff is None


async def test_exploitation_raises_a_waiting_request_to_high_priority_without_emergency_numbers(core: ConversationCore, database: Database) -> None:
    chat = Chat(core)
    await chat.press("lang:sv")
    await chat.say("/human")
    turn = await chat.say("jag är skyldig smugglaren pengar och han säger att jag måste jobba")
    assert turn.topic == "exploitation_risk" and not turn.crisis and turn.handoff == "high"
    assert turn.replies[0].text.startswith(answer("exploitation_risk", "sv"))
    assert [r.priority for r in await handoff_requests(database, chat.conversation_id)] == ["high"]

"""The conversation core: one incoming message in, one turn of replies out, whatever the channel."""

import logging
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import ContentStore
from bot.conversation._payloads import Command, parse_command, parse_payload
from bot.conversation._replies import HUMAN_TOPIC, Replies
from bot.conversation._types import Incoming, Reply, Turn
from bot.conversation._understanding import CRISIS_TOPIC, EXPLOITATION_TOPIC, Understander, Understanding
from bot.i18n import LANGUAGES, Catalogs, negotiate_language, text_direction
from bot.storage import Conversation, Database, erase_conversation, get_or_create_conversation
from handoff import Priority, request_handoff
from nlu import LanguageGuess

log = logging.getLogger(__name__)

SAFE_PLACES_TOPIC = "safe_places"
HIGH_PRIORITY_TOPICS = frozenset({EXPLOITATION_TOPIC})
"""Topics after which a request for a person goes before the normal queue."""
SWITCH_OFFER_CONFIDENCE = 0.7
SWITCH_MIN_WORDS = 2
"""A single word ("ok", "Malmö") says too little about the language to act on."""
SWITCH_OFFER_AFTER_MESSAGES = 2


class ConversationCore:
    """Answers young people from content, understood by NLU, and brings them to a human."""

    def __init__(self, *, content: ContentStore, catalogs: Catalogs, understander: Understander, database: Database, default_language: str) -> None:
        self._content = content
        self._catalogs = catalogs
        self._understander = understander
        self._database = database
        self._default_language = default_language

    def content_version(self) -> str:
        """The version of the content answers come from."""
        return self._content.current().version

    async def nlu_ready(self) -> bool:
        """Whether free text can be understood right now."""
        return await self._understander.ready()

    async def understand(self, text: str) -> Understanding:
        """What the core would understand of `text` (for `supportline classify`)."""
        return await self._understander.understand(text, self._content.current())

    async def handle(self, incoming: Incoming) -> Turn:
        """Answer one message. Commands and buttons never go through NLU."""
        content = self._content.current()
        command = _command_of(incoming)
        text = (incoming.text or "").strip()
        understanding = None
        if command is None and incoming.location is None and text:
            understanding = await self._understander.understand(text, content)
        async with self._database.session() as session:
            conversation = await get_or_create_conversation(session, conversation_id=incoming.conversation_id, channel=incoming.channel)
            if incoming.language in LANGUAGES:
                conversation.language, conversation.language_chosen = incoming.language, True
            detected = understanding.language if understanding and len(text.split()) >= SWITCH_MIN_WORDS else None
            offer = _follow_written_language(conversation, detected)
            language = conversation.language or negotiate_language([incoming.locale_hint or ""]) or self._default_language
            conversation.language = language
            replies = Replies(content=content, catalogs=self._catalogs, language=language)
            turn = await self._respond(session, conversation, replies, incoming, command, understanding, text)
            if offer is not None:
                offered = Replies(content=content, catalogs=self._catalogs, language=offer)
                turn = replace(turn, replies=(*turn.replies, offered.language_offer(keep_label=replies.text("language.keep"))))
            await session.commit()
        return turn

    async def _respond(
        self, session: AsyncSession, conversation: Conversation, replies: Replies, incoming: Incoming,
        command: Command | None, understanding: Understanding | None, text: str,
    ) -> Turn:
        if command is not None:
            conversation.awaiting = None
            return await self._run(session, conversation, replies, command)
        if incoming.location is not None:
            conversation.awaiting = None
            nearby = replies.content.nearest_places(incoming.location.lat, incoming.location.lon)
            return self._turn(replies, replies.nearest_places(nearby), topic=SAFE_PLACES_TOPIC)
        if understanding is None:
            return self._turn(replies, replies.topic_menu("menu.prompt"))
        if conversation.awaiting == "city":
            conversation.awaiting = None
            city = replies.content.city_named(text)
            if city is not None and not understanding.crisis:
                return self._turn(replies, replies.places_in_city(city), topic=SAFE_PLACES_TOPIC)
        return await self._answer_free_text(session, conversation, replies, understanding)

    async def _answer_free_text(self, session: AsyncSession, conversation: Conversation, replies: Replies, understanding: Understanding) -> Turn:
        confidence, available = understanding.confidence, understanding.nlu_available
        if understanding.crisis:
            await request_handoff(session, conversation=conversation, priority="urgent", reason=CRISIS_TOPIC)
            conversation.last_topic = CRISIS_TOPIC
            return self._turn(replies, replies.answer(CRISIS_TOPIC), topic=CRISIS_TOPIC, confidence=confidence, crisis=True, handoff="urgent", nlu_available=available)
        if understanding.exploitation:
            conversation.last_topic = EXPLOITATION_TOPIC
            raised = None
            if conversation.handoff_state == "queued":
                raised = (await request_handoff(session, conversation=conversation, priority="high", reason=EXPLOITATION_TOPIC)).priority
            return self._turn(replies, replies.answer(EXPLOITATION_TOPIC), topic=EXPLOITATION_TOPIC, confidence=confidence, handoff=raised, nlu_available=available)
        if not available:
            if understanding.city is not None:
                return self._turn(replies, replies.places_in_city(understanding.city), topic=SAFE_PLACES_TOPIC, nlu_available=False)
            return self._turn(replies, replies.with_menu("nlu.unavailable"), nlu_available=False)
        if understanding.out_of_scope:
            return self._turn(replies, replies.with_menu("nlu.out_of_scope"), confidence=confidence)
        if understanding.topic is None:
            return self._turn(replies, replies.suggestions("nlu.unsure", understanding.suggestions), confidence=confidence)
        if understanding.topic == HUMAN_TOPIC:
            return await self._to_human(session, conversation, replies, confidence=confidence)
        if understanding.topic == SAFE_PLACES_TOPIC:
            return self._safe_places(conversation, replies, understanding.city, confidence=confidence)
        return self._answer_topic(conversation, replies, understanding.topic, confidence=confidence)

    async def _run(self, session: AsyncSession, conversation: Conversation, replies: Replies, command: Command) -> Turn:
        content = replies.content
        match command.action:
            case "start":
                return self._turn(replies, replies.welcome())
            case "language":
                return self._turn(replies, replies.language_menu())
            case "set_language" if command.argument in LANGUAGES:
                conversation.language, conversation.language_chosen = command.argument, True
                chosen = Replies(content=content, catalogs=self._catalogs, language=command.argument)
                return self._turn(chosen, chosen.topic_menu("language.set"))
            case "help":
                return self._turn(replies, replies.with_menu("help.text"))
            case "menu":
                return self._turn(replies, replies.topic_menu("menu.prompt"))
            case "human":
                return await self._to_human(session, conversation, replies)
            case "forget":
                await erase_conversation(session, conversation_id=conversation.id)
                return self._turn(replies, Reply(replies.text("forget.done")))
            case "topic" if command.argument in content.topics:
                if command.argument == HUMAN_TOPIC:
                    return await self._to_human(session, conversation, replies)
                if command.argument == SAFE_PLACES_TOPIC:
                    return self._safe_places(conversation, replies, None)
                return self._answer_topic(conversation, replies, command.argument)
            case "city" if command.argument in content.cities:
                conversation.awaiting = None
                return self._turn(replies, replies.places_in_city(command.argument), topic=SAFE_PLACES_TOPIC)
        return self._turn(replies, replies.with_menu("command.unknown"))

    def _answer_topic(self, conversation: Conversation, replies: Replies, topic_id: str, *, confidence: float | None = None) -> Turn:
        conversation.last_topic = topic_id
        return self._turn(replies, replies.answer(topic_id), topic=topic_id, confidence=confidence)

    def _safe_places(self, conversation: Conversation, replies: Replies, city: str | None, *, confidence: float | None = None) -> Turn:
        conversation.last_topic = SAFE_PLACES_TOPIC
        if city is not None:
            return self._turn(replies, replies.places_in_city(city), topic=SAFE_PLACES_TOPIC, confidence=confidence)
        conversation.awaiting = "city"
        intro = replies.content.topics[SAFE_PLACES_TOPIC].translations[replies.language].answer
        return self._turn(replies, Reply(intro), replies.ask_city(), topic=SAFE_PLACES_TOPIC, confidence=confidence)

    async def _to_human(self, session: AsyncSession, conversation: Conversation, replies: Replies, *, confidence: float | None = None) -> Turn:
        priority: Priority = "high" if conversation.last_topic in HIGH_PRIORITY_TOPICS else "normal"
        already_waiting = conversation.handoff_state == "queued"
        request = await request_handoff(session, conversation=conversation, priority=priority, reason=conversation.last_topic)
        reply = Reply(replies.text("handoff.already_waiting")) if already_waiting else replies.answer(HUMAN_TOPIC)
        return self._turn(replies, reply, topic=HUMAN_TOPIC, confidence=confidence, handoff=request.priority)  # type: ignore[arg-type]

    @staticmethod
    def _turn(replies: Replies, *messages: Reply, **metadata: object) -> Turn:
        return Turn(replies=messages, language=replies.language, direction=text_direction(replies.language), **metadata)  # type: ignore[arg-type]


def _follow_written_language(conversation: Conversation, guess: LanguageGuess | None) -> str | None:
    """Adopt the language a young person writes in until they choose one; after a choice, never
    switch: after two messages in a row in another language, return it so the switch can be offered."""
    if guess is None or guess.confidence < SWITCH_OFFER_CONFIDENCE or guess.language == conversation.language:
        conversation.detected_language, conversation.detected_streak = None, 0
        return None
    if not conversation.language_chosen:
        conversation.language = guess.language
        return None
    streak = conversation.detected_streak + 1 if conversation.detected_language == guess.language else 1
    conversation.detected_language, conversation.detected_streak = guess.language, streak
    if streak < SWITCH_OFFER_AFTER_MESSAGES:
        return None
    conversation.detected_language, conversation.detected_streak = None, 0
    return guess.language


def _command_of(incoming: Incoming) -> Command | None:
    if incoming.payload is not None:
        return parse_payload(incoming.payload)
    return parse_command((incoming.text or "").strip())

"""The conversation core: one incoming message in, one turn of replies out, whatever the channel."""

import logging
import time
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.content import ContentStore
from bot.events import Event, EventBus
from bot.conversation._outbox import Outbox
from bot.conversation._payloads import Command, parse_command, parse_payload
from bot.conversation._replies import HUMAN_TOPIC, Replies
from bot.conversation._types import Button, Incoming, Reply, Transcript, TranscriptEntry, Turn
from bot.conversation._understanding import CRISIS_TOPIC, EXPLOITATION_TOPIC, Understander, Understanding
from bot.i18n import LANGUAGES, Catalogs, negotiate_language, text_direction
from bot.storage import (
    Conversation, Database, Tally, add_message, add_to_outbox, count_weekly, erase_conversation, get_or_create_conversation, latest_messages, mark_handled,
    mark_wait_told, open_handoff_request, queue_entries, utcnow, waiting_conversation_ids,
)
from handoff import OpeningHours, Priority, WaitStatus, queue_outlook, request_handoff, status_at, wait_status
from nlu import LanguageGuess

log = logging.getLogger(__name__)

SAFE_PLACES_TOPIC = "safe_places"
HIGH_PRIORITY_TOPICS = frozenset({EXPLOITATION_TOPIC})
"""Topics after which a request for a person goes before the normal queue."""
SWITCH_OFFER_CONFIDENCE = 0.7
SWITCH_MIN_WORDS = 2
"""A single word ("ok", "Malmö") says too little about the language to act on."""
SWITCH_OFFER_AFTER_MESSAGES = 2
MAX_TEXT_CHARS = 4096
"""Telegram's own limit; a longer message is answered with a request to shorten it, never cut."""
TRANSCRIPT_LENGTH = 200


class ConversationCore:
    """Answers young people from content, understood by NLU, and brings them to a human."""

    def __init__(
        self, *, content: ContentStore, catalogs: Catalogs, understander: Understander, database: Database, default_language: str,
        opening_hours: OpeningHours, events: EventBus,
    ) -> None:
        self._events = events
        self._content = content
        self._opening_hours = opening_hours
        self._catalogs = catalogs
        self._understander = understander
        self._database = database
        self._default_language = default_language
        self.outbox = Outbox(database, default_language=default_language)
        """Replies and counsellor messages on their way through channels that give an address."""

    @property
    def default_language(self) -> str:
        """The language of a young person who has not chosen one and whose app gives no hint."""
        return self._default_language

    def topic_ids(self) -> list[str]:
        """Every topic id of the current content."""
        return sorted(self._content.current().topics)

    def content_version(self) -> str:
        """The version of the content answers come from."""
        return self._content.current().version

    async def nlu_ready(self) -> bool:
        """Whether free text can be understood right now."""
        return await self._understander.ready()

    async def understand(self, text: str) -> Understanding:
        """What the core would understand of `text` (for `supportline classify`)."""
        return await self._understander.understand(text, self._content.current())

    def sounds_like_crisis(self, *, text: str | None = None, payload: str | None = None) -> bool:
        """Whether a message is the crisis button, or a text in which the crisis safety net alone (no NLU,
        cheap) hears a crisis: a channel never rate-limits one away."""
        if payload is not None:
            command = parse_payload(payload)
            return command.action == "topic" and command.argument == CRISIS_TOPIC
        return text is not None and self._content.current().safety.check(text).crisis is not None

    def phrase(self, language: str, message_id: str, **values: object) -> str:
        """An interface string in `language` (for a channel's own page or menus), placeholders filled from `values`."""
        return self._catalogs.text(language, message_id, **values)

    def command_descriptions(self, language: str) -> tuple[tuple[str, str], ...]:
        """The commands a channel lists in its menu, described in `language`."""
        return Replies(content=self._content.current(), catalogs=self._catalogs, language=language).command_descriptions()

    def apology(self, *, locale_hint: str | None) -> Turn:
        """What a channel says when something broke on our side: sorry, try again, or reach a person."""
        language = self._language_for(None, locale_hint)
        replies = Replies(content=self._content.current(), catalogs=self._catalogs, language=language)
        return self._turn(replies, replies.with_menu("error.generic"))

    async def transcript(self, conversation_id: str, *, locale_hint: str | None = None) -> Transcript:
        """The conversation's latest messages (empty for a conversation never seen)."""
        async with self._database.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            messages = await latest_messages(session, conversation_id=conversation_id, limit=TRANSCRIPT_LENGTH) if conversation else []
        language = self._language_for(conversation.language if conversation else None, locale_hint)
        entries = tuple(TranscriptEntry(m.sender, m.text, tuple(Button(label, payload) for label, payload in m.buttons or ())) for m in messages)
        return Transcript(language=language, direction=text_direction(language), entries=entries)

    async def queue_news(self, conversation_id: str) -> Turn | None:
        """A waiting young person's new place in the queue, if it changed since they were last told;
        None otherwise. Each change is handed out once, whichever channel or worker asks first."""
        async with self._database.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            waiting = conversation is not None and conversation.handoff_state == "queued"  # a counsellor may have taken them since the caller looked
            request = await open_handoff_request(session, conversation_id=conversation_id) if waiting else None
            news = None
            if conversation is not None and request is not None:
                status = await wait_status(session, request=request, hours=self._opening_hours, now=utcnow())
                news = await self._tell(session, request_id=request.id, told=request.told_wait, status=status, language=conversation.language)
            await session.commit()
        return None if news is None else self._turn(*news)

    async def waiting_conversations(self) -> frozenset[str]:
        """The conversations whose young person waits for a counsellor now."""
        async with self._database.session() as session:
            return frozenset(await waiting_conversation_ids(session))

    async def post_queue_news(self, *, channel: str) -> int:
        """Queue, in the outbox of `channel`, each waiting young person's new place in the queue (once
        per change); returns how many were told. One pass over the whole queue per change of it, as
        plain rows: only those who are told are loaded."""
        told = 0
        now = utcnow()
        async with self._database.session() as session:
            queue = await queue_entries(session)
            if not queue:
                return 0
            outlook = await queue_outlook(session, now=now)
            for position, entry in enumerate(queue, start=1):
                if entry.channel != channel or entry.handoff_state != "queued" or not entry.has_address:
                    continue
                status = status_at(position=position, outlook=outlook, hours=self._opening_hours, now=now)
                news = await self._tell(session, request_id=entry.request_id, told=entry.told_wait, status=status, language=entry.language)
                if news is None:
                    continue
                conversation = await session.get(Conversation, entry.conversation_id)  # its address, decrypted: only for those told
                if conversation is None or conversation.address is None:  # erased meanwhile
                    continue
                replies, reply = news
                add_to_outbox(session, conversation_id=conversation.id, channel=channel, address=conversation.address, language=replies.language, text=reply.text)
                told += 1
            await session.commit()
        return told

    async def _tell(self, session: AsyncSession, *, request_id: int, told: str | None, status: WaitStatus, language: str | None) -> tuple[Replies, Reply] | None:
        """`status` for a young person last told `told`, if it is news and nobody told them meanwhile; marked as told."""
        if status.summary == told or not await mark_wait_told(session, request_id=request_id, before=told, after=status.summary):
            return None
        replies = Replies(content=self._content.current(), catalogs=self._catalogs, language=self._language_for(language, None))
        return replies, replies.wait_status(status)

    async def handle(self, incoming: Incoming) -> Turn:
        """Answer one message. Commands and buttons never go through NLU. Every message and reply is
        kept in the transcript, except after /forget."""
        started = time.perf_counter()
        content = self._content.current()
        command = _command_of(incoming)
        text = (incoming.text or "").strip()
        understanding = None
        if command is None and incoming.location is None and incoming.attachment is None and 0 < len(text) <= MAX_TEXT_CHARS:
            understanding = await self._understander.understand(text, content)
        async with self._database.session() as session:
            if incoming.key is not None and not await mark_handled(session, key=incoming.key):
                return self._turn(Replies(content=content, catalogs=self._catalogs, language=self._default_language), duplicate=True)
            conversation = await get_or_create_conversation(session, conversation_id=incoming.conversation_id, channel=incoming.channel)
            if incoming.language in LANGUAGES:
                conversation.language, conversation.language_chosen = incoming.language, True
            detected = understanding.language if understanding and len(text.split()) >= SWITCH_MIN_WORDS else None
            offer = _follow_written_language(conversation, detected)
            language = self._language_for(conversation.language, incoming.locale_hint)
            conversation.language = language
            replies = Replies(content=content, catalogs=self._catalogs, language=language)
            turn = await self._respond(session, conversation, replies, incoming, command, understanding, text)
            if offer is not None:
                offered = Replies(content=content, catalogs=self._catalogs, language=offer)
                turn = replace(turn, replies=(*turn.replies, offered.language_offer(keep_label=replies.text("language.keep"))))
            with_counsellor = conversation.handoff_state == "assigned"
            if not turn.erased:
                _record(session, conversation, incoming, turn)
                conversation.address = incoming.address or conversation.address
            if incoming.address is not None:
                _post(session, incoming, turn)
            await count_weekly(session, *_tallies(incoming, turn))
            await session.commit()
        if turn.handoff is not None:
            self._events.publish(Event("queue"))
        if with_counsellor and incoming.kind in ("text", "button"):
            self._events.publish(Event("message", incoming.conversation_id, sender="young_person", text=incoming.text))
        kind = "command" if command is not None and incoming.payload is None else incoming.kind
        metrics.message_handled(
            channel=incoming.channel, kind=kind, path="direct" if understanding is None else "nlu",
            seconds=time.perf_counter() - started, crisis=turn.crisis, handoff=turn.handoff,
        )
        return turn

    def _language_for(self, chosen: str | None, locale_hint: str | None) -> str:
        """The conversation's language if it has one, else the channel's locale hint, else the default."""
        return chosen or negotiate_language([locale_hint or ""]) or self._default_language

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
        if incoming.attachment is not None:
            return self._turn(replies, replies.with_menu("attachment.unsupported"))
        if len(text) > MAX_TEXT_CHARS:
            return self._turn(replies, Reply(replies.text("message.too_long", limit=MAX_TEXT_CHARS)))
        if conversation.handoff_state == "assigned" and not (understanding and understanding.crisis):
            return self._turn(replies)  # the counsellor answers; a crisis still gets the emergency numbers at once
        if understanding is None:
            return self._turn(replies, replies.topic_menu("menu.prompt"))
        if conversation.awaiting == "city":
            conversation.awaiting = None
            city = replies.content.city_named(text)
            if city is not None and not understanding.crisis:
                return self._turn(replies, replies.places_in_city(city), topic=SAFE_PLACES_TOPIC, city=city)
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
                return self._turn(replies, replies.places_in_city(understanding.city), topic=SAFE_PLACES_TOPIC, city=understanding.city, nlu_available=False)
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
                return self._turn(replies, Reply(replies.text("forget.done")), erased=True)
            case "topic" if command.argument in content.topics:
                if command.argument == HUMAN_TOPIC:
                    return await self._to_human(session, conversation, replies)
                if command.argument == SAFE_PLACES_TOPIC:
                    return self._safe_places(conversation, replies, None)
                return self._answer_topic(conversation, replies, command.argument)
            case "city" if command.argument in content.cities:
                conversation.awaiting = None
                return self._turn(replies, replies.places_in_city(command.argument), topic=SAFE_PLACES_TOPIC, city=command.argument)
        return self._turn(replies, replies.with_menu("command.unknown"))

    def _answer_topic(self, conversation: Conversation, replies: Replies, topic_id: str, *, confidence: float | None = None) -> Turn:
        conversation.last_topic = topic_id
        return self._turn(replies, replies.answer(topic_id), topic=topic_id, confidence=confidence)

    def _safe_places(self, conversation: Conversation, replies: Replies, city: str | None, *, confidence: float | None = None) -> Turn:
        conversation.last_topic = SAFE_PLACES_TOPIC
        if city is not None:
            return self._turn(replies, replies.places_in_city(city), topic=SAFE_PLACES_TOPIC, city=city, confidence=confidence)
        conversation.awaiting = "city"
        intro = replies.content.topics[SAFE_PLACES_TOPIC].translations[replies.language].answer
        return self._turn(replies, Reply(intro), replies.ask_city(), topic=SAFE_PLACES_TOPIC, confidence=confidence)

    async def _to_human(self, session: AsyncSession, conversation: Conversation, replies: Replies, *, confidence: float | None = None) -> Turn:
        if conversation.handoff_state == "assigned":
            return self._turn(replies, Reply(replies.text("handoff.with_counsellor")), topic=HUMAN_TOPIC, confidence=confidence)
        priority: Priority = "high" if conversation.last_topic in HIGH_PRIORITY_TOPICS else "normal"
        already_waiting = conversation.handoff_state == "queued"
        request = await request_handoff(session, conversation=conversation, priority=priority, reason=conversation.last_topic)
        reply = Reply(replies.text("handoff.already_waiting")) if already_waiting else replies.answer(HUMAN_TOPIC)
        status = await wait_status(session, request=request, hours=self._opening_hours, now=utcnow())
        request.told_wait = status.summary
        return self._turn(replies, reply, replies.wait_status(status), topic=HUMAN_TOPIC, confidence=confidence, handoff=request.priority)  # type: ignore[arg-type]

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


def _record(session: AsyncSession, conversation: Conversation, incoming: Incoming, turn: Turn) -> None:
    """Add the message and the replies to the transcript; a location or an attachment only as its kind."""
    if _from_young_person(incoming):
        add_message(session, conversation_id=conversation.id, sender="young_person", kind=incoming.kind, text=_said(incoming))
    for reply in turn.replies:
        add_message(session, conversation_id=conversation.id, sender="bot", kind="text", text=reply.text, buttons=_button_pairs(reply) or None, topic=turn.topic)


def _said(incoming: Incoming) -> str | None:
    """What the young person wrote or tapped, as the transcript keeps it."""
    return incoming.text if incoming.kind in ("text", "button") else None


def _from_young_person(incoming: Incoming) -> bool:
    """Whether the young person sent this: a button a channel pressed by itself (the web chat's first /start) is not theirs."""
    return bool(_said(incoming)) or incoming.kind != "button"


def _tallies(incoming: Incoming, turn: Turn) -> list[Tally]:
    """What a turn adds to the anonymous weekly statistics: counts by channel and language, never by conversation."""
    seen = {"channel": incoming.channel, "language": turn.language}
    tallies = [Tally("message", **seen)] if _from_young_person(incoming) else []
    if turn.topic is not None:
        tallies.append(Tally("topic", topic=turn.topic, **seen))
    if turn.crisis:
        tallies.append(Tally("crisis", **seen))
    if turn.city is not None:
        tallies.append(Tally("region", region=turn.city, **seen))
    return tallies


def _post(session: AsyncSession, incoming: Incoming, turn: Turn) -> None:
    """Queue the replies in the outbox of the young person's channel (committed with the turn)."""
    assert incoming.address is not None
    for reply in turn.replies:
        add_to_outbox(
            session, conversation_id=incoming.conversation_id, channel=incoming.channel, address=incoming.address,
            language=turn.language, text=reply.text, buttons=_button_pairs(reply),
        )


def _button_pairs(reply: Reply) -> list[list[str]]:
    """A reply's buttons as stored: `[label, payload]` pairs."""
    return [[button.label, button.payload] for button in reply.buttons]


def _command_of(incoming: Incoming) -> Command | None:
    if incoming.payload is not None:
        return parse_payload(incoming.payload)
    return parse_command((incoming.text or "").strip())

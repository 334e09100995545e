"""The counsellor console: thin routes over `bot.console` (accounts, pages) and `handoff` (the cases)."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Header, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from bot.api.deps import ActionLoginDep, CoreDep, DatabaseDep, EventsDep, PageLoginDep, SessionDep, SettingsDep, SupervisorLoginDep, ThrottleDep
from bot.console import (
    SECURITY_HEADERS, SESSION_COOKIE, Login, authenticate, console_language, current_login, end_session, render, start_session,
)
from bot.console._cases import OUTCOMES, canned_replies, case_for, colleagues_for
from bot.console._charts import bar_chart
from bot.console._views import case_rows, loads, notes, queue_rows, transcript
from bot.content import load_risk_checklist
from bot.events import Event
from bot.stats import PeriodError, shown, statistics
from bot.storage import Conversation, add_audit, counsellor_by_username, topic_trail, utcnow, waiting_count
from handoff import HandoffError, add_note, claim, claim_next, close, return_to_bot, say_to_young_person, transfer
from handoff._waiting import ONLINE_WINDOW

router = APIRouter(prefix="/console", include_in_schema=False)
LOGIN_CSRF_COOKIE = "console_login_csrf"
HEARTBEAT_SECONDS = 15
STATS_PERIOD = timedelta(weeks=12)
"""The dashboard's period until another is chosen."""

AcceptLanguage = Annotated[str | None, Header()]


def _page(html: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _back(path: str, notice: str | None = None) -> RedirectResponse:
    return RedirectResponse(path + (f"?notice={notice}" if notice else ""), status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login")
async def login_page(settings: SettingsDep, accept_language: AcceptLanguage = None) -> HTMLResponse:
    """The login form, with a CSRF token bound to a cookie."""
    token = secrets.token_urlsafe(32)
    response = _page(render("login.html", language=console_language(accept_language), login=None, csrf_token=token))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.environment != "development", path="/console")
    return response


@router.post("/login")
async def log_in(
    request: Request, session: SessionDep, settings: SettingsDep, throttle: ThrottleDep, username: Annotated[str, Form()], password: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None, accept_language: AcceptLanguage = None,
) -> Response:
    """Check the password (at most 5 failures per 5 minutes per user and per address) and start a session."""
    language = console_language(accept_language)
    if not csrf_token or csrf_token != request.cookies.get(LOGIN_CSRF_COOKIE):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    keys = (f"user:{username.lower()}", f"address:{request.client.host if request.client else '?'}")
    if not throttle.allowed(*keys):
        return _page(render("login.html", language=language, login=None, csrf_token=csrf_token, notice="too_many_attempts"), 429)
    counsellor = await authenticate(session, username=username, password=password)
    if counsellor is None:
        throttle.failed(*keys)
        return _page(render("login.html", language=language, login=None, csrf_token=csrf_token, notice="wrong_password"), 401)
    token = await start_session(session, counsellor=counsellor)
    add_audit(session, counsellor_id=counsellor.id, action="login")
    await session.commit()
    response = _back("/console")
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=settings.environment != "development", path="/console")
    return response


@router.post("/logout")
async def log_out(request: Request, login: ActionLoginDep, session: SessionDep) -> Response:
    """End the session."""
    await end_session(session, token=request.cookies.get(SESSION_COOKIE, ""))
    await session.commit()
    response = _back("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("")
async def queue_page(login: PageLoginDep, session: SessionDep, notice: str | None = None) -> HTMLResponse:
    """The live queue, the counsellor's own conversations and, for supervisors, everyone's load."""
    return _page(render("queue.html", **await _queue_values(login, session), notice=notice))


@router.get("/queue")
async def queue_fragment(login: PageLoginDep, session: SessionDep) -> HTMLResponse:
    """The queue part of the page, for live refresh."""
    return _page(render("_queue.html", **await _queue_values(login, session)))


@router.get("/events")
async def events_stream(login: PageLoginDep, events: EventsDep, request: Request, database: DatabaseDep) -> StreamingResponse:
    """Server-Sent Events: `queue` when the queue changes, `message` when a young person writes; a
    heartbeat keeps the counsellor counted as online."""

    async def stream() -> AsyncIterator[str]:
        async with events.subscribe() as inbox:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    event: Event = await asyncio.wait_for(inbox.get(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    async with database.session() as session:
                        await current_login(session, token=request.cookies.get(SESSION_COOKIE))
                        await session.commit()
                    yield ": heartbeat\n\n"
                    continue
                yield f"event: {event.kind}\ndata: {{}}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.post("/claim-next")
async def take_next(login: ActionLoginDep, session: SessionDep, events: EventsDep) -> Response:
    """Claim the conversation that should be answered next."""
    try:
        request = await claim_next(session, counsellor=login.counsellor)
    except HandoffError:
        return _back("/console", "at_capacity")
    await session.commit()
    if request is None:
        return _back("/console", "nobody_waiting")
    events.publish(Event("queue"))
    return _back(f"/console/cases/{request.id}")


@router.post("/cases/{request_id}/claim")
async def take(request_id: int, login: ActionLoginDep, session: SessionDep, events: EventsDep) -> Response:
    """Claim one conversation: exactly one of several claimers wins."""
    try:
        await claim(session, request_id=request_id, counsellor=login.counsellor)
    except HandoffError as exc:
        return _back("/console", type(exc).__name__)
    await session.commit()
    events.publish(Event("queue"))
    return _back(f"/console/cases/{request_id}")


@router.get("/cases/{request_id}")
async def case_page(request_id: int, login: PageLoginDep, session: SessionDep, settings: SettingsDep, core: CoreDep, notice: str | None = None) -> HTMLResponse:
    """A conversation: transcript, reply box, actions, wrap-up, notes. Every opening is audited."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    conversation = await session.get(Conversation, request.conversation_id)
    assert conversation is not None
    add_audit(session, counsellor_id=login.counsellor.id, action="open_transcript", request_id=request.id, conversation_id=request.conversation_id)
    await session.commit()
    language = _language(login)
    return _page(render(
        "case.html", language=language, login=login, request=request, conversation=conversation,
        messages=await transcript(session, conversation_id=conversation.id), topics=await topic_trail(session, conversation_id=conversation.id),
        canned=canned_replies(core, conversation_language=conversation.language or core.default_language, console_language=language),
        colleagues=await colleagues_for(session, counsellor=login.counsellor), all_topics=core.topic_ids(), outcomes=OUTCOMES,
        checklist=load_risk_checklist(settings.content_dir), notes=await notes(session, request_id=request.id), notice=notice,
    ))


@router.get("/cases/{request_id}/transcript")
async def transcript_fragment(request_id: int, login: PageLoginDep, session: SessionDep) -> HTMLResponse:
    """The transcript part of a case page, for live refresh."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    return _page(render("_transcript.html", language=_language(login), messages=await transcript(session, conversation_id=request.conversation_id)))


@router.post("/cases/{request_id}/messages")
async def send(request_id: int, text: Annotated[str, Form(max_length=4000)], login: ActionLoginDep, session: SessionDep, events: EventsDep) -> Response:
    """Send a message to the young person, through their channel."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    try:
        message = await say_to_young_person(session, request=request, counsellor=login.counsellor, text=text.strip())
    except HandoffError as exc:
        return _back(f"/console/cases/{request_id}", type(exc).__name__)
    await session.commit()
    events.publish(Event("message", request.conversation_id, sender="counsellor", text=message.text, message_id=message.id))
    return _back(f"/console/cases/{request_id}")


@router.post("/cases/{request_id}/return")
async def give_back(request_id: int, login: ActionLoginDep, session: SessionDep, events: EventsDep) -> Response:
    """Give the conversation back to the bot."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    await return_to_bot(session, request=request, by=login.counsellor)
    await session.commit()
    events.publish(Event("queue"))
    return _back("/console", "returned")


@router.post("/cases/{request_id}/transfer")
async def hand_over(request_id: int, to: Annotated[str, Form()], login: ActionLoginDep, session: SessionDep, events: EventsDep) -> Response:
    """Transfer the conversation to a colleague, who accepts it by claiming it."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    colleague = await counsellor_by_username(session, username=to)
    if colleague is None or not colleague.active:
        return _back(f"/console/cases/{request_id}", "no_such_counsellor")
    await transfer(session, request=request, by=login.counsellor, to=colleague)
    await session.commit()
    events.publish(Event("queue"))
    return _back("/console", "transferred")


@router.post("/cases/{request_id}/close")
async def wrap_up(
    request_id: int, login: ActionLoginDep, session: SessionDep, settings: SettingsDep, events: EventsDep,
    outcome: Annotated[str, Form()], topic: Annotated[str | None, Form()] = None, checklist: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Close the case with its wrap-up."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    ticked = [item for item in checklist or [] if item in load_risk_checklist(settings.content_dir).item_ids()]
    if outcome not in OUTCOMES:
        raise HTTPException(status_code=422, detail="unknown outcome")
    await close(session, request=request, by=login.counsellor, topic=topic, outcome=outcome, checklist=ticked)
    await session.commit()
    events.publish(Event("queue"))
    return _back("/console", "closed")


@router.post("/cases/{request_id}/notes")
async def note(request_id: int, text: Annotated[str, Form(max_length=2000)], login: ActionLoginDep, session: SessionDep) -> Response:
    """Add a case note (flagged if it looks like it holds a phone or identity number)."""
    request = await case_for(session, request_id=request_id, counsellor=login.counsellor)
    added = await add_note(session, request=request, counsellor=login.counsellor, text=text.strip())
    await session.commit()
    return _back(f"/console/cases/{request_id}", "note_flagged" if added.flagged else None)


@router.get("/stats")
async def stats_page(login: SupervisorLoginDep, session: SessionDep, since: date | None = None, until: date | None = None) -> HTMLResponse:
    """The supervisors' dashboard: the anonymous weekly statistics, small counts suppressed, as SVG charts and tables."""
    until = until or date.today()
    since = since or until - STATS_PERIOD
    try:
        tables = await statistics(session, since=since, until=until)
    except PeriodError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    charted = [(table, bar_chart(table.chart())) for table in tables]
    return _page(render("stats.html", language=_language(login), login=login, since=since, until=until, tables=charted, shown=shown))


async def _queue_values(login: Login, session: SessionDep) -> dict[str, object]:
    supervising = login.supervising
    return {
        "language": _language(login), "login": login, "supervising": supervising, "waiting": await queue_rows(session), "waiting_total": await waiting_count(session),
        "mine": await case_rows(session, counsellor=login.counsellor),
        "loads": await loads(session, online_since=utcnow() - ONLINE_WINDOW) if supervising else [],
    }


def _language(login: Login) -> str:
    """The console in Swedish unless the counsellor speaks English and not Swedish."""
    return "en" if "sv" not in login.counsellor.languages and "en" in login.counsellor.languages else "sv"




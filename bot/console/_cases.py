"""What a case page needs besides storage views: who may open a case, colleagues, outcomes, canned replies."""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import ConversationCore
from bot.storage import Counsellor, HandoffRequest, active_counsellors
from handoff import SUPERVISING_ROLES, NotYours

OUTCOMES = ("answered", "referred_legal_help", "referred_healthcare", "referred_social_services", "safe_place_found", "emergency_services", "young_person_left")
"""How a case ended, for the wrap-up (labels are in the console catalog)."""


class CaseNotFound(LookupError):
    """No case with this id."""


async def case_for(session: AsyncSession, *, request_id: int, counsellor: Counsellor) -> HandoffRequest:
    """The case, if this counsellor may open it: theirs (or being transferred to them), or any for a supervisor."""
    request = await session.get(HandoffRequest, request_id)
    if request is None:
        raise CaseNotFound(request_id)
    if counsellor.role not in SUPERVISING_ROLES and request.counsellor_id != counsellor.id:
        raise NotYours(f"request {request_id} is not with {counsellor.username}")
    return request


async def colleagues_for(session: AsyncSession, *, counsellor: Counsellor) -> list[Counsellor]:
    """Everyone a conversation could be transferred to."""
    return [other for other in await active_counsellors(session) if other.id != counsellor.id]


def canned_replies(core: ConversationCore, *, conversation_language: str, console_language: str) -> list[tuple[str, str]]:
    """Standard messages: labelled in the counsellor's language, sent in the young person's."""
    return [
        (core.phrase(console_language, "canned.hello"), core.phrase(conversation_language, "canned.hello")),
        (core.phrase(console_language, "canned.one_moment"), core.phrase(conversation_language, "canned.one_moment")),
        (core.phrase(console_language, "canned.not_alone"), core.phrase(conversation_language, "canned.not_alone")),
        (core.phrase(console_language, "canned.legal_help"), core.phrase(conversation_language, "canned.legal_help")),
        (core.phrase(console_language, "canned.back_to_bot"), core.phrase(conversation_language, "canned.back_to_bot")),
        (core.phrase(console_language, "canned.goodbye"), core.phrase(conversation_language, "canned.goodbye")),
    ]

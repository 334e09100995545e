"""Case notes, with a warning when a note looks like it holds a phone or personal identity number."""

import re

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import CaseNote, Counsellor, HandoffRequest, add_audit

_PERSONAL_IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}(?!\d)")
"""Swedish personnummer or samordningsnummer (day + 60): YYMMDD-XXXX, YYYYMMDDXXXX, with or without the dash."""
_PHONE_NUMBER = re.compile(r"(?<![\d+])(?:(?:\+|00)[1-9]|0)(?:[ \-()]*\d){6,13}(?!\d)")
"""A number starting like a phone number (0…, +…, 00…) with seven or more digits after it, perhaps
with spaces, dashes or brackets between them."""


def looks_identifying(text: str) -> bool:
    """Whether `text` seems to contain a phone number or a personal identity number."""
    return bool(_PERSONAL_IDENTITY_NUMBER.search(text) or _PHONE_NUMBER.search(text))


async def add_note(session: AsyncSession, *, request: HandoffRequest, counsellor: Counsellor, text: str) -> CaseNote:
    """Add a note to a case; flagged (and shown with a warning) if it looks identifying."""
    note = CaseNote(request_id=request.id, counsellor_id=counsellor.id, text=text, flagged=looks_identifying(text))
    session.add(note)
    add_audit(session, counsellor_id=counsellor.id, action="note", request_id=request.id, conversation_id=request.conversation_id, detail="flagged" if note.flagged else None)
    await session.flush()
    return note

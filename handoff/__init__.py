"""Handoff: bringing a young person to a human counsellor, and back."""

from handoff._cases import SUPERVISING_ROLES, claim, claim_next, close, return_to_bot, say_to_young_person, transfer
from handoff._hours import OpeningHours
from handoff._waiting import QueueOutlook, WaitStatus, queue_outlook, status_at, wait_status
from handoff._notes import add_note, looks_identifying
from handoff._errors import AlreadyClaimed, AtCapacity, HandoffError, InvalidTransition, NotYours
from handoff._requests import Priority, request_handoff
from handoff._states import State, next_state

__all__ = [
    "SUPERVISING_ROLES", "AlreadyClaimed", "AtCapacity", "HandoffError", "InvalidTransition", "NotYours", "OpeningHours", "Priority", "State", "WaitStatus",
    "add_note", "claim", "claim_next", "looks_identifying", "close", "next_state", "request_handoff", "return_to_bot", "say_to_young_person", "transfer", "wait_status", "status_at", "QueueOutlook", "queue_outlook",
]

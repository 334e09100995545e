"""Handoff: bringing a young person to a human counsellor."""

from handoff._requests import Priority, request_handoff

__all__ = ["Priority", "request_handoff"]

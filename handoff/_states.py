"""The handoff state machine: which moves are allowed from which state."""

from typing import Literal

from handoff._errors import InvalidTransition

State = Literal["queued", "assigned", "transferred", "returned", "closed"]
Move = Literal["claim", "transfer", "return", "close"]

TRANSITIONS: dict[tuple[str, Move], State] = {
    ("queued", "claim"): "assigned",
    ("transferred", "claim"): "assigned",
    ("assigned", "transfer"): "transferred",
    ("assigned", "return"): "returned",
    ("assigned", "close"): "closed",
    ("queued", "close"): "closed",
    ("transferred", "close"): "closed",
}
"""`returned` gives the conversation back to the bot; `closed` ends the case with a wrap-up. A queued
or transferred request can be closed (by a supervisor, e.g. when the young person has left)."""


def next_state(state: str, move: Move) -> State:
    """The state after `move`, or InvalidTransition."""
    try:
        return TRANSITIONS[(state, move)]
    except KeyError:
        raise InvalidTransition(f"cannot {move} a request that is {state}") from None

"""Dependencies of the routes, as `Annotated` aliases."""

from typing import Annotated

from fastapi import Depends, Request

from bot.conversation import ConversationCore


def _core(request: Request) -> ConversationCore:
    core: ConversationCore = request.app.state.core
    return core


CoreDep = Annotated[ConversationCore, Depends(_core)]

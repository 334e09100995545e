"""Who a young person is, as far as we store it: a keyed hash of their channel's user id."""

import hashlib
import hmac

from pydantic import SecretStr


def pseudonym(*, secret: SecretStr, channel: str, user_id: str | int) -> str:
    """The conversation id of `user_id` on `channel`: stable, and useless without the server secret.

    The raw id is never stored; without the secret it cannot be recomputed from a guess either.
    """
    message = f"{channel}:{user_id}".encode()
    return hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256).hexdigest()

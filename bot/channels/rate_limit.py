"""Rate limits at the channels' edges: token buckets and open-connection counts, in this process's memory.

Every worker process keeps its own buckets, so with N workers a client spread over all of them gets
up to N times a limit (a WebSocket stays on one worker, so one chat's limit is exact). That is
enough to stop a script or a stuck client, which is what these limits are for; see docs/reliability.md.

Keys (conversation ids, Telegram user ids, client addresses) are hashed with a random per-process
salt before they are kept: no raw id or address sits in these tables, and they are never logged.
Each table holds at most `max_keys` entries, the least recently used going first.
"""

import hashlib
import ipaddress
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_KEYS = 100_000


@dataclass(frozen=True)
class Rate:
    """`count` events per `seconds`: a bucket of `count` tokens that refills evenly over `seconds`."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"a rate needs a count of at least 1 and a positive period, not {self}")


class _Salted:
    """Keys as salted hashes: the tables never hold a raw id or address."""

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)

    def _hash(self, key: str | int) -> bytes:
        return hashlib.blake2b(str(key).encode("utf-8", "surrogatepass"), key=self._salt, digest_size=16).digest()


class TokenBuckets(_Salted):
    """One token bucket per key: `take` spends a token if there is one."""

    def __init__(self, rate: Rate, *, max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.rate = rate
        self._per_second = rate.count / rate.seconds
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()
        """Hashed key -> (tokens, when they were counted)."""

    def take(self, key: str | int) -> bool:
        """Spend one of `key`'s tokens; False (and nothing spent) when it has none left."""
        hashed, now = self._hash(key), self._clock()
        tokens = self._tokens(hashed, now)
        allowed = tokens >= 1
        self._buckets[hashed] = (tokens - 1 if allowed else tokens, now)
        self._buckets.move_to_end(hashed)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str | int) -> float:
        """Seconds until `key` has a token again (0 if it has one now)."""
        tokens = self._tokens(self._hash(key), self._clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self._per_second

    def _tokens(self, hashed: bytes, now: float) -> float:
        tokens, then = self._buckets.get(hashed, (float(self.rate.count), now))
        return min(float(self.rate.count), tokens + max(0.0, now - then) * self._per_second)


class OpenCounts(_Salted):
    """How many connections each key has open, up to `limit`."""

    def __init__(self, limit: int, *, max_keys: int = MAX_KEYS) -> None:
        super().__init__()
        self.limit = limit
        self._max_keys = max_keys
        self._open: dict[bytes, int] = {}

    def open(self, key: str) -> bool:
        """Count one more open connection for `key`; False (and nothing counted) at the limit."""
        hashed = self._hash(key)
        count = self._open.get(hashed, 0)
        if count >= self.limit or (count == 0 and len(self._open) >= self._max_keys):
            return False
        self._open[hashed] = count + 1
        return True

    def close(self, key: str) -> None:
        """One of `key`'s connections closed."""
        hashed = self._hash(key)
        count = self._open.get(hashed, 0) - 1
        if count > 0:
            self._open[hashed] = count
        else:
            self._open.pop(hashed, None)


def networks(addresses: str | Iterable[str]) -> tuple[Network, ...]:
    """IP addresses and networks from `"10.0.0.1, 192.168.0.0/16"` or a list of them."""
    items = addresses.split(",") if isinstance(addresses, str) else addresses
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def client_address(connection: HTTPConnection, trusted_proxies: tuple[Network, ...] = ()) -> str:
    """The address a request or WebSocket came from.

    The peer's address, unless the peer is a trusted proxy: then the right-most address in
    `X-Forwarded-For` that is not a trusted proxy itself (everything left of it could be forged
    by the client). With no trusted proxies, `X-Forwarded-For` is never read.
    """
    peer = connection.client.host if connection.client else ""
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = [item.strip() for value in connection.headers.getlist("x-forwarded-for") for item in value.split(",")]
    for address in reversed(forwarded):
        if not _trusted(address, trusted_proxies):
            return address if _is_ip(address) else peer
        peer = address
    return peer


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted_proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


class _ClientAddresses:
    """Tells a connection's client address, reading `X-Forwarded-For` only from trusted proxies."""

    def __init__(self, trusted_proxies: str | Iterable[str]) -> None:
        self._trusted_proxies = networks(trusted_proxies)

    def address_of(self, connection: HTTPConnection) -> str:
        """The client address of a request or socket (through trusted proxies only)."""
        return client_address(connection, self._trusted_proxies)


class WebChatLimits(_ClientAddresses):
    """The web chat's limits, shared by every socket of one worker process.

    - `messages`: frames one conversation may send (a burst of `count`, refilled over `seconds`);
      far above anyone typing, even in short bursts, so only scripts and stuck clients meet it.
    - `crisis_messages`: frames over that limit that still go through because the crisis safety
      net hears a crisis in them: a ceiling only a script reaches, so a crisis is never refused.
    - `address_messages`: frames from one client address, all its conversations together (generous:
      a group home, a school or a mobile carrier puts many young people behind one address).
    - `sockets_per_address` open at once, and `connects` new ones per address: beyond either the
      socket is closed with 1008 (policy violation).
    - `refusals_before_close`: a socket that keeps sending while told to slow down is closed (1008).
    - `trusted_proxies`: addresses whose `X-Forwarded-For` names the client (none: it is never read).
    """

    def __init__(
        self, *, messages: Rate = Rate(20, 10), crisis_messages: Rate = Rate(10, 10), address_messages: Rate = Rate(100, 10),
        sockets_per_address: int = 50, connects: Rate = Rate(30, 10), refusals_before_close: int = 50,
        trusted_proxies: str | Iterable[str] = (),
    ) -> None:
        super().__init__(trusted_proxies)
        self.refusals_before_close = refusals_before_close
        self._messages = TokenBuckets(messages)
        self._crisis_messages = TokenBuckets(crisis_messages)
        self._address_messages = TokenBuckets(address_messages)
        self._connects = TokenBuckets(connects)
        self._sockets = OpenCounts(sockets_per_address)

    def open_socket(self, address: str) -> bool:
        """Count a new socket from `address`; False if it must be refused."""
        return self._connects.take(address) and self._sockets.open(address)

    def close_socket(self, address: str) -> None:
        """A socket that `open_socket` admitted has closed."""
        self._sockets.close(address)

    def allow_frame(self, address: str, conversation_id: str | None) -> bool:
        """Spend a frame of the conversation (once known) and of the address; False when either is used up."""
        return (conversation_id is None or self._messages.take(conversation_id)) and self._address_messages.take(address)

    def allow_crisis(self, conversation_id: str) -> bool:
        """Whether a crisis message over the limit still goes through (it does, short of a flood)."""
        return self._crisis_messages.take(conversation_id)


class WebhookLimits(_ClientAddresses):
    """Telegram webhook limits, per worker process.

    - `updates`: updates one Telegram user may send (keyed by a salted hash of `from.id`); over
      it, the update is acknowledged (200: a 429 would make Telegram hold back every user's
      updates behind it) but not handled, and the young person is told, at most once per
      `notices`, to slow down and send again what was not answered.
    - `crisis_updates`: updates over that limit that go through anyway because the crisis safety
      net hears a crisis in their text.
    - `refusals`: requests without the right secret from one address before the rest get 429
      (Telegram itself always has the secret and is never limited by address).
    - `max_body_bytes`: larger bodies get 413 without being read further (an update is a few KiB).
    - `trusted_proxies`: as for the web chat.
    """

    def __init__(
        self, *, updates: Rate = Rate(20, 10), crisis_updates: Rate = Rate(10, 10), notices: Rate = Rate(1, 30),
        refusals: Rate = Rate(10, 60), max_body_bytes: int = 1_048_576, trusted_proxies: str | Iterable[str] = (),
    ) -> None:
        super().__init__(trusted_proxies)
        self.max_body_bytes = max_body_bytes
        self._updates = TokenBuckets(updates)
        self._crisis_updates = TokenBuckets(crisis_updates)
        self._notices = TokenBuckets(notices)
        self._refusals = TokenBuckets(refusals)

    def allow_refusal(self, address: str) -> bool:
        """Whether a request without the right secret gets a plain 403 (False: 429 from now on)."""
        return self._refusals.take(address)

    def allow_update(self, user_id: int) -> bool:
        """Spend one of the user's updates."""
        return self._updates.take(user_id)

    def allow_crisis(self, user_id: int) -> bool:
        """Whether a crisis update over the limit still goes through."""
        return self._crisis_updates.take(user_id)

    def allow_notice(self, user_id: int) -> bool:
        """Whether to tell the user (again) to slow down."""
        return self._notices.take(user_id)

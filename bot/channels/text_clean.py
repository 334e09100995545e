"""What a young person wrote, made safe to store, show and match, before it reaches the core.

Both channels call `clean_text` at their edge (web chat frames, Telegram webhook updates). It removes
only what no one can see or mean on purpose, and that breaks things downstream:

- control characters (C0 except tab and newline, DEL, C1): a NUL or an escape sequence in the console
  or a log viewer, a carriage return that redraws a line;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they can reorder what a
  counsellor reads ("Trojan Source"), and nobody types them;
- invisible separators (zero-width space U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD,
  U+180E, invisible operators U+2061–U+2064, interlinear annotations U+FFF9–U+FFFB, deprecated
  format characters U+206A–U+206F): one of them inside a word splits it, so "kill\u200bmyself"
  would slip past the crisis safety net;
- unpaired surrogates (possible in JSON `\\ud800` escapes): they cannot be encoded as UTF-8, so they
  would fail storage; each becomes U+FFFD.

Kept on purpose: ZWNJ U+200C (Persian, Dari and Pashto spelling: "می‌خواهم"), ZWJ U+200D (emoji
sequences and Arabic-script joining), LRM/RLM U+200E/U+200F and the Arabic letter mark U+061C
(direction marks people type to get mixed-direction text right), tab, newline, every letter, mark
and emoji. Line breaks are unified to `\\n` and the text is NFC-normalised (the same letters, the
same code points, whichever keyboard wrote them). Nothing else is changed: no trimming, no
shortening (the core answers a too-long message itself).
"""

import re
import unicodedata

_REMOVED = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 controls but tab, newline (and CR, unified below); DEL; C1
    "\u00ad\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"  # invisible separators and format characters
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
)
_UNWANTED = re.compile(f"[{_REMOVED}]")
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control, bidi-override and invisible characters, with `\\n` line breaks, NFC."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _LINE_BREAK.sub("\n", text)
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text))


_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")


def clean_locale(tag: str | None) -> str | None:
    """A language tag from a browser or an app in its canonical case (`SV` -> `sv`, `fa-af` -> `fa-AF`,
    `zh_hant_tw` -> `zh-Hant-TW`); None for one that is no language tag at all.

    Language negotiation matches tags in any case but hands back the client's own spelling, and
    `SV` is no language the catalogs know: every tag from outside goes through here first."""
    parts = (tag or "").strip().replace("_", "-").split("-")
    if not all(_SUBTAG.fullmatch(part) for part in parts):
        return None
    canonical = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            canonical.append(part.title())  # script
        elif len(part) == 2 or (len(part) == 3 and part.isdigit()):
            canonical.append(part.upper())  # region
        else:
            canonical.append(part.lower())
    return "-".join(canonical)


def clean_accept_language(header: str | None) -> str | None:
    """An `Accept-Language` header with every tag in its canonical case (and no tag that is none)."""
    if header is None:
        return None
    ranges = []
    for item in header.split(","):
        tag, semicolon, weight = item.partition(";")
        canonical = "*" if tag.strip() == "*" else clean_locale(tag)
        if canonical:
            ranges.append(canonical + semicolon + weight.strip())
    return ",".join(ranges)

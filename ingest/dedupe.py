"""Dedupe keys of a mention, and the RedisBloom filter that remembers which keys were published.

A mention is a duplicate when any of its keys was seen before: its `id:source:external_id`, its
`url:` canonical URL, or the `text:` fingerprint of its normalised title and text (the same story
cross-posted in two places). The prefixes keep the three kinds of key apart in one filter.
"""

import hashlib
import re
import unicodedata
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from brandpulse.contract import Mention

# RFC 3986 appendix B, for absolute URLs: scheme, authority, path and query; the fragment is left out.
ABSOLUTE_URL: Final = re.compile(r"([^:/?#]+)://([^/?#]*)([^?#]*)(?:\?([^#]*))?")
TRACKING_PARAM: Final = re.compile(r"(?:utm_[^=]*|fbclid|gclid)(?:=|$)", re.IGNORECASE)
DEFAULT_PORTS: Final = {"http": "80", "https": "443"}
# Shorter texts ("Acme is down again") are written independently by many people: each is its own
# mention, so they get no text key and are deduped by id and URL only.
MIN_FINGERPRINT_CHARS: Final = 32
FILTER_EXPANSION: Final = 2  # each sub-filter a scaling filter adds is twice as large as the last


def dedupe_keys(mention: Mention) -> tuple[str, ...]:
    """The filter keys of a mention: id, then canonical URL and text fingerprint where it has them."""
    keys = [f"id:{mention.source}:{mention.external_id}"]
    if mention.url:
        keys.append(f"url:{canonical_url(mention.url)}")
    normalised = normalise_text(mention.title, mention.text)
    if len(normalised) >= MIN_FINGERPRINT_CHARS:
        keys.append(f"text:{fingerprint(normalised)}")
    return tuple(keys)


def canonical_url(url: str) -> str:
    """`url` with scheme and host lower-cased, default port, tracking params, fragment and final `/` dropped.

    The remaining query params are sorted; their encoding is kept as it is.
    """
    parts = ABSOLUTE_URL.match(url.strip())
    if parts is None:
        raise ValueError(f"not an absolute URL: {url!r}")
    scheme, netloc, path, query = parts.groups("")
    scheme = scheme.lower()
    params = sorted(param for param in query.split("&") if param and not TRACKING_PARAM.match(param))
    query = "?" + "&".join(params) if params else ""
    return f"{scheme}://{_netloc(netloc, scheme)}{path.rstrip('/')}{query}"


def normalise_text(title: str, text: str) -> str:
    """Title and text as one NFKC-normalised, casefolded string with whitespace runs collapsed."""
    return " ".join(unicodedata.normalize("NFKC", f"{title} {text}").casefold().split())


def fingerprint(normalised: str) -> str:
    """32 hex chars of BLAKE2b over normalised text."""
    return hashlib.blake2b(normalised.encode(errors="surrogatepass"), digest_size=16).hexdigest()


async def ensure_filter(redis: Redis, key: str, *, error_rate: float, capacity: int) -> None:
    """Create the scaling Bloom filter `key` unless it exists (then its parameters are left as they are)."""
    try:
        await redis.execute_command(  # type: ignore[no-untyped-call]
            "BF.RESERVE", key, error_rate, capacity, "EXPANSION", FILTER_EXPANSION
        )
    except ResponseError as exc:
        if "item exists" not in str(exc).lower():
            raise


def _netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = hostport.lower(), ""
    if ":" in host.rpartition("]")[2]:  # an IPv6 literal's colons sit inside its brackets
        host, _, port = host.rpartition(":")
    keep_port = port and port != DEFAULT_PORTS.get(scheme)
    return f"{userinfo}{at}{host}" + (f":{port}" if keep_port else "")

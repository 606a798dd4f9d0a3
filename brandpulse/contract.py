"""The stream contract: stream and group names, `Mention` and `Enrichment`, and their stream encoding.

This module is the only place these facts live; producers and consumers import them from here.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticSerializationError

SCHEMA_VERSION: Final = 1  # version of the encoding below; bump it on any incompatible change
RAW_STREAM: Final = "brandpulse:mentions"  # mentions as the ingest connectors publish them
ENRICHED_STREAM: Final = "brandpulse:enriched"  # mentions after enrichment
DEAD_LETTER_STREAM: Final = "brandpulse:dead-letters"  # entries a worker could not process
ELASTIC_GROUP: Final = "elastic"  # consumer group of the elastic worker on RAW_STREAM
LIVE_CHANNEL: Final = "brandpulse:live"  # pub/sub channel: one compact event per indexed mention
PERSIST_GROUP: Final = "persist"  # consumer group of the persist worker on RAW_STREAM and ENRICHED_STREAM

# Every group that must see each stream's entries: workers create them all (from the start) before
# trimming, so no stream is trimmed past an entry a group that has not started yet would need.
STREAM_GROUPS: Final = {RAW_STREAM: (ELASTIC_GROUP, PERSIST_GROUP), ENRICHED_STREAM: (PERSIST_GROUP,)}

VERSION_FIELD: Final = "v"  # stream-entry field holding SCHEMA_VERSION
PAYLOAD_FIELD: Final = "payload"  # stream-entry field holding the model (Mention, Enrichment) as compact JSON
MAX_PAYLOAD_BYTES: Final = 256 * 1024  # largest accepted UTF-8 payload

# A stream entry's fields as redis-py returns them: bytes, or str with decode_responses=True.
StreamFields = Mapping[bytes, bytes] | Mapping[str, str] | Mapping[bytes | str, bytes | str]


class InvalidMention(ValueError):
    """A mention, enrichment or stream entry that breaks the contract; `reason` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def mention_id(source: str, external_id: str) -> str:
    """The stable id of a mention: 32 hex chars of BLAKE2b over source and external id."""
    return hashlib.blake2b(f"{source}\x1f{external_id}".encode(), digest_size=16).hexdigest()


def _no_outer_space(value: str) -> str:
    if value != value.strip():
        raise ValueError("must not have leading or trailing whitespace")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an absolute http or https URL")
    return value


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range in UTC") from None


def _unique_sorted(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def _json_value(value: dict[str, Any]) -> dict[str, Any]:
    try:
        normalised: dict[str, Any] = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"must be JSON-serialisable: {exc}") from None
    return normalised


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
ExternalId = Annotated[str, Field(strict=True, min_length=1, max_length=512), AfterValidator(_no_outer_space)]
BrandId = Annotated[int, Field(strict=True, gt=0, le=2**63 - 1)]  # a PostgreSQL bigint


class Mention(BaseModel):
    """One mention found by a connector, as it travels on the streams."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default="", pattern=r"^[0-9a-f]{32}$")  # derived from source + external_id if absent
    source: str = Field(strict=True, pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    external_id: ExternalId
    url: Annotated[str, Field(max_length=2048), AfterValidator(_http_url)] | None = None
    title: str = Field(default="", max_length=1000)
    text: str = Field(default="", max_length=100_000)
    author: Annotated[str, Field(max_length=256)] | None = None
    lang: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None
    published_at: UtcDatetime
    fetched_at: UtcDatetime
    brand_ids: Annotated[tuple[BrandId, ...], AfterValidator(_unique_sorted)] = ()
    meta: Annotated[dict[str, Any], AfterValidator(_json_value)] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" not in data:
            source, external_id = data.get("source"), data.get("external_id")
            if isinstance(source, str) and isinstance(external_id, str):
                return {**data, "id": mention_id(source, external_id)}
        return data

    @model_validator(mode="after")
    def _check_id_and_content(self) -> Self:
        expected = mention_id(self.source, self.external_id)
        if self.id != expected:
            raise ValueError(f"id {self.id!r} does not match source and external_id (expected {expected!r})")
        if not (self.title.strip() or self.text.strip()):
            raise ValueError("mention has neither title nor text")
        return self


SentimentLabel = Literal["negative", "neutral", "positive"]
EmotionLabel = Literal["anger", "joy", "optimism", "sadness"]
EntityType = Literal["ORG", "PERSON", "GPE", "PRODUCT", "EVENT", "NORP"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Sentiment(BaseModel):
    """Sentiment of a mention; `score` = P(positive) - P(negative), in [-1, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0)
    probabilities: dict[SentimentLabel, Probability]


class Emotion(BaseModel):
    """The dominant emotion of a mention, with each class's probability."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: EmotionLabel
    probabilities: dict[EmotionLabel, Probability]


class Entity(BaseModel):
    """A named entity: normalised text and type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1, max_length=200)
    type: EntityType

    @property
    def key(self) -> str:
        """The flat `TYPE:text` form that aggregations use."""
        return f"{self.type}:{self.text}"


class Enrichment(BaseModel):
    """What the elastic worker derived from one mention; published on ENRICHED_STREAM."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mention_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    sentiment: Sentiment | None = None  # None when the step did not apply (see `skipped`)
    emotion: Emotion | None = None
    entities: tuple[Entity, ...] = ()
    keywords: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = ()
    models: dict[str, str] = Field(default_factory=dict)  # step -> "model name@version" that produced it
    skipped: dict[str, str] = Field(default_factory=dict)  # step -> why it did not apply
    enriched_at: UtcDatetime


Payload = TypeVar("Payload", Mention, Enrichment)


def encode(item: Mention | Enrichment) -> dict[str, str]:
    """The stream-entry fields for a mention or enrichment; raises InvalidMention if it cannot travel."""
    try:
        payload = item.model_dump_json()  # compact, UTF-8 as is; 3x faster than json.dumps of a dump
    except PydanticSerializationError as exc:  # a lone surrogate in `meta`
        raise InvalidMention(f"payload is not encodable as UTF-8: {exc}") from None
    _check_size(len(payload.encode()))
    return {VERSION_FIELD: str(SCHEMA_VERSION), PAYLOAD_FIELD: payload}


def decode(fields: StreamFields, model: type[Payload]) -> Payload:
    """The `model` (Mention or Enrichment) in a stream entry as redis-py returns it; raises InvalidMention."""
    version = _field(fields, VERSION_FIELD)
    if version is None:
        raise InvalidMention(f"missing schema version field {VERSION_FIELD!r}")
    if version != str(SCHEMA_VERSION).encode():
        shown = version.decode(errors="replace")
        raise InvalidMention(f"unsupported schema version {shown!r} (supported: {SCHEMA_VERSION})")
    payload = _field(fields, PAYLOAD_FIELD)
    if payload is None:
        raise InvalidMention(f"missing payload field {PAYLOAD_FIELD!r}")
    _check_size(len(payload))
    escaped_surrogates = b"\\ud" in payload.lower()  # only proper pairs of them are text
    if not escaped_surrogates:  # the common case, parsed and validated in one pass
        try:
            return model.model_validate_json(payload)
        except ValidationError:
            pass  # the path below names what is wrong as it always has
    try:
        data = json.loads(payload.decode())
    except UnicodeDecodeError as exc:
        raise InvalidMention(f"payload is not UTF-8: {exc.reason} at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise InvalidMention(f"payload is not valid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidMention(f"payload JSON is not usable: {exc}") from None
    if escaped_surrogates:
        _check_no_lone_surrogates(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidMention("; ".join(map(_describe, exc.errors(include_url=False)))) from None


def _field(fields: Mapping[Any, bytes | str], name: str) -> bytes | None:
    value = fields.get(name, fields.get(name.encode()))
    return value.encode(errors="surrogatepass") if isinstance(value, str) else value


def _check_no_lone_surrogates(data: Any) -> None:
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError as exc:
        raise InvalidMention(f"payload has a lone UTF-16 surrogate ({exc.object[exc.start]!r})") from None


def _check_size(size: int) -> None:
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidMention(f"payload is {size} bytes, over the {MAX_PAYLOAD_BYTES}-byte limit")


def _describe(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    field = ".".join(map(str, error["loc"]))
    return f"{field}: {message}" if field else message

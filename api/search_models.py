"""What the search routes return: mentions as Elasticsearch holds them, a page of hits, facet counts."""

from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from api.filters import MentionFilters
from api.queries.elastic import SortOrder
from brandpulse.contract import EmotionLabel, EntityType, SentimentLabel


class SentimentPublic(BaseModel):
    """The sentiment label (a person's when `corrected`), the model's score P(pos) - P(neg), and the
    model's probabilities."""

    label: SentimentLabel
    score: float
    probabilities: dict[SentimentLabel, float]
    corrected: bool = False
    corrected_at: AwareDatetime | None = None


class EmotionPublic(BaseModel):
    """The dominant emotion and each emotion's probability."""

    label: EmotionLabel
    probabilities: dict[EmotionLabel, float]


class EntityPublic(BaseModel):
    """A named entity as the NER step found it."""

    text: str
    type: EntityType


class MentionBase(BaseModel):
    """The fields of an indexed mention a list shows."""

    mention_id: str
    source: str
    url: str | None = None
    title: str
    text: str
    author: str | None = None
    lang: str | None = None
    published_at: AwareDatetime
    brand_ids: list[int]
    sentiment: SentimentPublic | None = None
    emotion: EmotionPublic | None = None
    entities: list[EntityPublic] = []
    keywords: list[str] = []


class MentionPublic(MentionBase):
    """One indexed mention with its provenance: when it was fetched, enriched and indexed, and by what."""

    external_id: str
    fetched_at: AwareDatetime
    enriched_at: AwareDatetime
    indexed_at: AwareDatetime
    models: dict[str, str] = {}
    skipped: dict[str, str] = {}
    meta: dict[str, Any] = {}


class Highlight(BaseModel):
    """Snippets with the matched words in `<mark>` tags, HTML-escaped; empty without a text query."""

    title: str | None = None
    text: list[str] = []


class SearchHit(MentionBase):
    """A mention that matched, with its relevance score (None when sorted by date) and snippets."""

    score: float | None = None
    highlight: Highlight = Highlight()


class FacetCount(BaseModel):
    """How many matches have this value."""

    value: str
    count: int


class BrandCount(BaseModel):
    """How many matches name this brand."""

    brand_id: int
    count: int


class Facets(BaseModel):
    """Counts over every match (not just the page) per brand, source, sentiment and top entity."""

    brands: list[BrandCount]
    sources: list[FacetCount]
    sentiment: list[FacetCount]
    entities: list[FacetCount]


class SearchPage(BaseModel):
    """A page of matches; pass `next_cursor` as `cursor` for the next one (None on the last page)."""

    total: int = Field(description="Matches in all; a lower bound when `total_exact` is false.")
    total_exact: bool
    sort: SortOrder = Field(description="The order applied: `relevance` needs a `q`, else `newest`.")
    hits: list[SearchHit]
    next_cursor: str | None
    facets: Facets | None = Field(description="On the first page only (no `cursor`).")


class SearchParams(MentionFilters):
    """The search filters, the order and the page."""

    sort: SortOrder = Field(default="relevance", description="`relevance` (with a `q`) or `newest`.")
    size: int = Field(default=20, ge=1, le=1000, description="Hits per page, at most API_MAX_PAGE_SIZE.")
    cursor: str | None = Field(default=None, max_length=2000, description="`next_cursor` of the last page.")

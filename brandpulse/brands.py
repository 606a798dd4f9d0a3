"""The brand registry in PostgreSQL: what ingest matches and what every mention is attributed to."""

from collections.abc import Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.brand_query import MAX_QUERY_CHARS, parse, to_string
from brandpulse.tables import Brand


def _valid_query(query: str) -> str:
    """The query in canonical form; raises QuerySyntaxError (a ValueError) with the error's position."""
    return to_string(parse(query))


class BrandCreate(BaseModel):
    """A brand to register."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str = Field(min_length=1, max_length=200)
    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS), AfterValidator(_valid_query)]
    feeds: tuple[HttpUrl, ...] = Field(default=(), max_length=20)


class BrandPublic(BrandCreate):
    """A registered brand."""

    id: int
    active: bool


async def add_brand(engine: AsyncEngine, brand: BrandCreate) -> BrandPublic:
    """Register a brand; raises IntegrityError when its slug is taken."""
    values = brand.model_dump(mode="json")
    async with engine.begin() as connection:
        row = (
            await connection.execute(insert(Brand).values(**values).returning(Brand.id, Brand.active))
        ).one()
    return BrandPublic(**values, id=row.id, active=row.active)


async def list_brands(engine: AsyncEngine, *, active_only: bool = False) -> list[BrandPublic]:
    """Every brand (or every active one), by id."""
    query = select(Brand.id, Brand.slug, Brand.name, Brand.query, Brand.feeds, Brand.active).order_by(
        Brand.id
    )
    async with engine.connect() as connection:
        rows = await connection.execute(query.where(Brand.active) if active_only else query)
        return [BrandPublic.model_validate(row._asdict()) for row in rows]


async def remove_brand(engine: AsyncEngine, slug: str) -> bool:
    """Delete a brand (its stored mentions stay); False when there was none."""
    async with engine.begin() as connection:
        return bool((await connection.execute(delete(Brand).where(Brand.slug == slug))).rowcount)


DEMO_BRANDS = (
    BrandCreate(slug="acme", name="Acme", query='("Acme" OR "Acme Corp") -"acme brick"'),
    BrandCreate(slug="globex", name="Globex", query="Globex"),
    BrandCreate(slug="initech", name="Initech", query="Initech OR TPS"),
)


async def ensure_demo_brands(engine: AsyncEngine) -> list[str]:
    """Register the demo brands when the registry is empty; returns the slugs added."""
    if await list_brands(engine):
        return []
    return [(await add_brand(engine, brand)).slug for brand in DEMO_BRANDS]


def queries(brands: Sequence[BrandPublic]) -> dict[int, str]:
    """Brand id -> query, the shape `brand_query.Matcher` compiles."""
    return {brand.id: brand.query for brand in brands}

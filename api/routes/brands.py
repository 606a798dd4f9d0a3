"""`/api/brands`: the brand registry. Queries are validated by the brand-query parser and stored canonical.

A query that does not parse is a 400 whose message names the position; a taken slug is a 409.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy.exc import IntegrityError

from api.deps import EngineDep, ReaderDep, ReadKey, WriteKey
from api.errors import ApiError, ErrorResponse
from api.queries import postgres
from brandpulse import brands as registry
from brandpulse.brand_query import MAX_QUERY_CHARS, parse, to_string
from brandpulse.brands import BrandCreate, BrandPublic

router = APIRouter(prefix="/api", tags=["brands"])
BrandId = Annotated[int, Path(gt=0, le=2**63 - 1)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such brand."}}
UNIQUE_VIOLATION, CHECK_VIOLATION = "23505", "23514"


def _canonical(query: str) -> str:
    return to_string(parse(query))  # QuerySyntaxError (a ValueError) names the position


class BrandUpdate(BaseModel):
    """The fields to change; absent or null fields stay as they are (the slug never changes)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    query: (
        Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS), AfterValidator(_canonical)] | None
    ) = None
    feeds: tuple[HttpUrl, ...] | None = Field(default=None, max_length=20)
    active: bool | None = None


class BrandsPublic(BaseModel):
    """Brands by id."""

    data: list[BrandPublic]
    count: int


@router.get("/brands", dependencies=[ReadKey])
async def list_brands(
    reader: ReaderDep, active: Annotated[bool, Query(description="Only active brands.")] = False
) -> BrandsPublic:
    """Every brand (or every active one), by id."""
    brands = await registry.list_brands(reader, active_only=active)
    return BrandsPublic(data=brands, count=len(brands))


@router.get("/brands/{brand_id}", dependencies=[ReadKey], responses=NOT_FOUND)
async def read_brand(brand_id: BrandId, reader: ReaderDep) -> BrandPublic:
    """One brand."""
    return _found(await postgres.read_brand(reader, brand_id), brand_id)


@router.post(
    "/brands",
    dependencies=[WriteKey],
    status_code=201,
    responses={409: {"model": ErrorResponse, "description": "The slug is taken."}},
)
async def create_brand(body: BrandCreate, engine: EngineDep) -> BrandPublic:
    """Register a brand; its query is stored in canonical form."""
    try:
        with postgres.refused_values_as_400():
            return await registry.add_brand(engine, body)
    except IntegrityError as error:
        raise _conflict(error, body.slug) from error


@router.patch("/brands/{brand_id}", dependencies=[WriteKey], responses=NOT_FOUND)
async def update_brand(brand_id: BrandId, body: BrandUpdate, engine: EngineDep) -> BrandPublic:
    """Change a brand's name, query, feeds or active flag."""
    changes = body.model_dump(mode="json", exclude_none=True)
    try:
        with postgres.refused_values_as_400():
            return _found(await postgres.update_brand(engine, brand_id, changes), brand_id)
    except IntegrityError as error:
        raise _conflict(error, None) from error


@router.delete("/brands/{brand_id}", dependencies=[WriteKey], status_code=204, responses=NOT_FOUND)
async def delete_brand(brand_id: BrandId, engine: EngineDep) -> None:
    """Remove a brand; its stored mentions and rollups stay (history outlives a brand)."""
    if not await postgres.delete_brand(engine, brand_id):
        raise ApiError(404, "not_found", f"no brand {brand_id}")


def _found(brand: BrandPublic | None, brand_id: int) -> BrandPublic:
    if brand is None:
        raise ApiError(404, "not_found", f"no brand {brand_id}")
    return brand


def _conflict(error: IntegrityError, slug: str | None) -> ApiError:
    """A taken slug is a 409, a value over a table check (a query too long once canonical) a 400; other
    integrity errors propagate."""
    state = getattr(error.orig, "sqlstate", None)
    if state == UNIQUE_VIOLATION:
        return ApiError(409, "conflict", f"a brand with slug {slug!r} exists already")
    if state == CHECK_VIOLATION:
        return ApiError(400, "invalid_value", "a value breaks a brand constraint (is the query too long?)")
    raise error

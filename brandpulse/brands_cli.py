"""`brandpulse brands add|list|remove`: the brand registry from the command line."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from brandpulse.brands import BrandCreate, add_brand, list_brands, remove_brand
from brandpulse.clients import postgres_engine
from brandpulse.settings import get_settings

T = TypeVar("T")
app = typer.Typer(help="The brand registry.", no_args_is_help=True)
console = Console()
FEEDS = typer.Option([], "--feed", help="An RSS/Atom feed URL to poll for this brand (repeatable).")


def _with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = postgres_engine(get_settings())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Short unique name: lower-case letters, digits and '-'."),
    name: str = typer.Option(..., help="Display name."),
    query: str = typer.Option(..., help='Boolean query, e.g. ("Acme" OR "Acme Corp") -"acme brick".'),
    feeds: list[str] = FEEDS,
) -> None:
    """Register a brand; a query with a syntax error is refused with the error's position."""
    try:
        brand = BrandCreate.model_validate({"slug": slug, "name": name, "query": query, "feeds": feeds})
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            field, message = problem["loc"][0], problem["msg"].removeprefix("Value error, ")
            console.print(f"[red]{field}:[/] {message}")
        raise typer.Exit(2) from None
    try:
        added = _with_engine(lambda engine: add_brand(engine, brand))
    except IntegrityError:
        console.print(f"[red]a brand with slug {slug!r} exists already[/]")
        raise typer.Exit(1) from None
    console.print(f"added brand {added.id} {added.slug!r}: {added.query}")


@app.command("list")
def list_() -> None:
    """Show every brand with its query."""
    table = Table("id", "slug", "name", "query", "feeds", "active")
    for brand in _with_engine(list_brands):
        table.add_row(
            str(brand.id), brand.slug, brand.name, brand.query, str(len(brand.feeds)), str(brand.active)
        )
    console.print(table)


@app.command("remove")
def remove(slug: str = typer.Argument(..., help="The brand's slug.")) -> None:
    """Delete a brand; its stored mentions and rollups stay."""
    if not _with_engine(lambda engine: remove_brand(engine, slug)):
        console.print(f"[red]no brand with slug {slug!r}[/]")
        raise typer.Exit(1)
    console.print(f"removed brand {slug!r}")

"""JSON bodies written once: FastAPI would dump, re-validate and dump a response model again, and JSON
PostgreSQL already built needs no decoding and re-encoding at all."""

from typing import Any

from fastapi import Response
from pydantic import BaseModel
from pydantic_core import to_json


def json_body(model: BaseModel) -> Response:
    """`model` serialised once by pydantic-core; declare the model with `response_model=` for the schema."""
    return Response(model.model_dump_json(), media_type="application/json")


def json_object(fields: dict[str, Any], **encoded: str) -> Response:
    """A JSON object of `fields` (encoded by pydantic-core) and of `encoded` members, whose values are
    JSON text already; declare the shape with `response_model=`."""
    members = [to_json(fields).decode()[1:-1]] if fields else []
    members += [f"{to_json(name).decode()}:{value}" for name, value in encoded.items()]
    return Response("{" + ",".join(members) + "}", media_type="application/json")

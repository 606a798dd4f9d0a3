"""Large JSON bodies written straight from a model: FastAPI would dump, re-validate and dump it again."""

from fastapi import Response
from pydantic import BaseModel


def json_body(model: BaseModel) -> Response:
    """`model` serialised once by pydantic-core; declare the model with `response_model=` for the schema."""
    return Response(model.model_dump_json(), media_type="application/json")

"""One error model for every failure: `{"error": {"code", "message", "details"}}`."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from brandpulse.brand_query import QuerySyntaxError


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a message for people, and details for programs."""

    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx response."""

    error: ErrorBody


class ApiError(Exception):
    """An error with its HTTP status, raised by routes and dependencies."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    """A JSONResponse in the error model."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


def install(app: FastAPI) -> None:
    """Route every error through the error model."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.details)

    @app.exception_handler(QuerySyntaxError)
    async def query_syntax(_: Request, error: QuerySyntaxError) -> JSONResponse:
        details = {"position": error.position}
        return error_response(400, "query_syntax", str(error), details)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(map(str, problem["loc"])), "message": problem["msg"]}
            for problem in error.errors()
        ]
        return error_response(400, "invalid_request", "the request is not valid", problems)

    @app.exception_handler(OverflowError)
    async def out_of_range(_: Request, error: OverflowError) -> JSONResponse:
        # date arithmetic at the edges of the calendar (year 1 or 9999) from a valid-looking parameter
        return error_response(400, "out_of_range", f"a value is out of range: {error}")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return error_response(error.status_code, code.get(error.status_code, "http_error"), str(error.detail))

"""Mentions from a JSONL or CSV file, streamed line by line.

JSONL lines and CSV rows carry Mention fields (`source` defaults to "file", `fetched_at` to the import
time; a CSV `meta` column holds JSON). A bad line becomes a `Rejected` with its number and reason and
parsing carries on; `strict=True` raises `InvalidLine` at the first one instead. Each `Row` says how many
bytes have been read, so a progress bar can run against the file's size.
"""

import codecs
import csv
import json
import re
from collections.abc import Generator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal, NamedTuple

from pydantic import ValidationError

from brandpulse.contract import InvalidMention, Mention, encode
from ingest.sources.base import Rejected

__all__ = ["FileFormat", "InvalidLine", "Rejected", "Row", "count_lines", "format_of", "read_mentions"]

FileFormat = Literal["jsonl", "csv"]
FORMATS: Final[dict[str, FileFormat]] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
DEFAULTS: Final = ("source", "fetched_at")  # fields filled in when absent or null
DEFAULT_SOURCE: Final = "file"
MAX_ERRORS: Final = 3  # validation errors named in one reason
JSON_TYPES: Final = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
UNDECODABLE: Final = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of bytes that are not UTF-8

Parsed = tuple[int, int, dict[str, Any] | str]  # line number, bytes read, fields or why there are none


class Row(NamedTuple):
    """One item of a file: the line it starts on (1-based), the bytes read so far, and the outcome."""

    line: int
    bytes_read: int
    item: Mention | Rejected


class InvalidLine(InvalidMention):
    """A bad line in strict mode; `line` is its 1-based number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line


def read_mentions(
    path: str | Path,
    *,
    file_format: FileFormat | None = None,
    strict: bool = False,
    now: datetime | None = None,
) -> Generator[Row, None, None]:
    """The mentions in a JSONL or CSV file, one `Row` per non-blank line (CSV: per record).

    The format comes from the extension unless `file_format` is given. `now` is the default `fetched_at`.
    The file stays open until the rows are exhausted or the generator is closed.
    """
    path = Path(path)
    file_format = file_format or format_of(path)
    if file_format not in ("jsonl", "csv"):
        raise ValueError(f"unknown file format {file_format!r}; expected 'jsonl' or 'csv'")
    return _rows(path, file_format, strict, now or datetime.now(UTC))


def format_of(path: Path) -> FileFormat:
    """The format a file's extension names; raises ValueError if it names none."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"cannot tell the format of {path.name} (known: {known}); name it") from None


def count_lines(path: str | Path, chunk_bytes: int = 1 << 20) -> int:
    """The number of lines in a file, counted in chunks (for a progress bar's total)."""
    lines, last = 0, b"\n"
    with Path(path).open("rb") as file:
        while chunk := file.read(chunk_bytes):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def _rows(path: Path, file_format: FileFormat, strict: bool, now: datetime) -> Generator[Row, None, None]:
    with path.open("rb") as file:
        for line, bytes_read, fields in (_jsonl if file_format == "jsonl" else _csv)(file):
            outcome = _mention(fields, now) if isinstance(fields, dict) else fields
            if isinstance(outcome, Mention):
                yield Row(line, bytes_read, outcome)
            elif strict:
                raise InvalidLine(line, outcome)
            else:
                yield Row(line, bytes_read, Rejected(f"{path}:{line}", outcome))


def _lines(file: IO[bytes]) -> Iterator[tuple[int, int, str]]:
    """Each line's number, the bytes read through it and its text (bytes not UTF-8 become surrogates)."""
    bytes_read = 0
    for number, raw in enumerate(file, start=1):
        bytes_read += len(raw)
        text = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
        yield number, bytes_read, text.decode(errors="surrogateescape")


def _jsonl(file: IO[bytes]) -> Iterator[Parsed]:
    for number, bytes_read, text in _lines(file):
        if text.strip():
            yield number, bytes_read, _undecodable(text) or _json_object(text.rstrip())


def _csv(file: IO[bytes]) -> Iterator[Parsed]:
    progress = [0, 0]  # number and bytes read of the last line the CSV reader took

    def texts() -> Iterator[str]:
        for number, bytes_read, text in _lines(file):
            progress[:] = number, bytes_read
            yield text

    reader = csv.reader(texts())
    header: Sequence[str] | None = None
    while True:
        start = progress[0] + 1
        try:
            record = next(reader, None)
        except csv.Error as exc:
            yield start, progress[1], f"invalid CSV: {exc}"
            continue
        if record is None:
            return
        if not record:  # a blank line
            continue
        if header is None:
            header = _header(record, start)
            continue
        yield start, progress[1], _undecodable("".join(record)) or _csv_fields(header, record)


def _header(record: Sequence[str], line: int) -> Sequence[str]:
    header = [name.strip() for name in record]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates or not all(header):
        raise InvalidLine(line, f"the CSV header needs distinct, non-empty column names: {record}")
    return header


def _csv_fields(header: Sequence[str], record: Sequence[str]) -> dict[str, Any] | str:
    if len(record) != len(header):
        return f"has {len(record)} fields, the header has {len(header)}"
    fields: dict[str, Any] = {name: value for name, value in zip(header, record, strict=True) if value != ""}
    if "meta" in fields:
        meta = _json_object(fields["meta"])
        if isinstance(meta, str):
            return f"meta: {meta}"
        fields["meta"] = meta
    return fields


def _json_object(text: str) -> dict[str, Any] | str:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "invalid JSON: nested too deeply"
    if not isinstance(value, dict):
        return f"expected a JSON object, got {JSON_TYPES.get(type(value), 'null')}"
    return value


def _undecodable(text: str) -> str | None:
    return "not valid UTF-8" if UNDECODABLE.search(text) else None


def _mention(fields: dict[str, Any], now: datetime) -> Mention | str:
    """The mention `fields` describe, if it can travel on the streams; else why not."""
    present = {key: value for key, value in fields.items() if value is not None or key not in DEFAULTS}
    try:
        mention = Mention.model_validate({"source": DEFAULT_SOURCE, "fetched_at": now, **present})
        encode(mention)  # catches what only the stream encoding rejects: lone surrogates, oversize payloads
    except InvalidMention as exc:
        return exc.reason
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        reasons = [_describe(error["loc"], error["msg"]) for error in errors[:MAX_ERRORS]]
        more = len(errors) - MAX_ERRORS
        return "; ".join(reasons) + (f" (and {more} more)" if more > 0 else "")
    return mention


def _describe(location: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    field = ".".join(map(str, location))
    return f"{field}: {message}" if field else message

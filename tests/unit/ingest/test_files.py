"""Mentions from JSONL and CSV files: happy paths, bad lines with their numbers and reasons, strict mode,
encodings and line endings, progress, and a large file streamed."""

import csv
import json
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from brandpulse.contract import Mention
from ingest.sources.files import InvalidLine, Rejected, Row, count_lines, format_of, read_mentions

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GOOD: dict[str, Any] = {
    "source": "rss",
    "external_id": "a-1",
    "url": "https://example.com/a-1",
    "title": "Acme recalls scooters",
    "text": "Acme recalls 10,000 scooters.",
    "author": "Maria Lopez",
    "lang": "en",
    "published_at": "2026-03-01T10:00:00Z",
}
COLUMNS = [*GOOD, "meta"]


def jsonl(*lines: str | dict[str, Any]) -> str:
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
    )


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def read(path: Path, **kwargs: Any) -> list[Row]:
    return list(read_mentions(path, now=NOW, **kwargs))


def outcomes(rows: list[Row]) -> list[tuple[int, str]]:
    """Each row's line and either the mention's external id or the rejection's reason."""
    return [
        (row.line, row.item.external_id if isinstance(row.item, Mention) else row.item.reason) for row in rows
    ]


def test_jsonl_lines_become_mentions(tmp_path: Path) -> None:
    minimal = {
        "external_id": "b-2",
        "text": "Globex opens in Berlin",
        "published_at": "2026-03-01T11:00:00+01:00",
    }
    path = write(tmp_path / "m.jsonl", jsonl({**GOOD, "meta": {"feed": "x"}}, minimal))
    first, second = (row.item for row in read(path))
    assert first == Mention.model_validate({**GOOD, "fetched_at": NOW, "meta": {"feed": "x"}})
    assert isinstance(second, Mention)
    assert (second.source, second.fetched_at, second.url, second.title) == ("file", NOW, None, "")
    assert second.published_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_given_fetched_at_and_null_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.ndjson", jsonl({**GOOD, "fetched_at": "2026-03-01T10:05:00Z"}, {**GOOD, "source": None})
    )
    first, second = (row.item for row in read(path))
    assert isinstance(first, Mention)
    assert first.fetched_at == datetime(2026, 3, 1, 10, 5, tzinfo=UTC)
    assert isinstance(second, Mention)
    assert (second.source, second.fetched_at) == ("file", NOW)


def test_csv_rows_become_mentions(tmp_path: Path) -> None:
    with (tmp_path / "m.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerow([*GOOD.values(), '{"feed": "x", "n": 1}'])
        writer.writerow(
            ["", "b-2", "", "", 'Globex, "the" giant,\nopens in Berlin', "", "", "2026-03-01T10:00Z", ""]
        )
        writer.writerow([*GOOD.values(), ""])
    rows = read(tmp_path / "m.csv")
    assert [row.line for row in rows] == [2, 3, 5]
    first, second, third = (row.item for row in rows)
    assert first == Mention.model_validate({**GOOD, "fetched_at": NOW, "meta": {"feed": "x", "n": 1}})
    assert isinstance(second, Mention)
    assert second.text == 'Globex, "the" giant,\nopens in Berlin'
    assert (second.source, second.url, second.author, second.lang) == ("file", None, None, None)
    assert isinstance(third, Mention)
    assert third.meta == {}


def test_a_mixed_jsonl_file_rejects_exactly_the_bad_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.jsonl",
        jsonl(
            GOOD,  # 1
            '{"source": "rss", "external_id": ',  # 2
            {**GOOD, "external_id": "a-3"},  # 3
            {**GOOD, "external_id": "a-4", "title": "", "text": ""},  # 4
            {**GOOD, "external_id": "a-5", "published_at": "yesterday"},  # 5
            "",  # 6: blank, skipped
            {**GOOD, "external_id": "a-7", "url": "ftp://example.com/x"},  # 7
            "[1, 2]",  # 8
            {**GOOD, "external_id": "a-9", "published_at": "2026-03-01T10:00:00"},  # 9
            {**GOOD, "external_id": "a-10", "colour": "red"},  # 10
            {**GOOD, "external_id": "a-11"},  # 11
        ),
    )
    rows = read(path)
    assert outcomes(rows) == [
        (1, "a-1"),
        (2, "invalid JSON: Expecting value at column 33"),
        (3, "a-3"),
        (4, "mention has neither title nor text"),
        (5, "published_at: Input should be a valid datetime or date, input is too short"),
        (7, "url: must be an absolute http or https URL"),
        (8, "expected a JSON object, got an array"),
        (9, "published_at: Input should have timezone info"),
        (10, "colour: Extra inputs are not permitted"),
        (11, "a-11"),
    ]
    assert all(row.item.item == f"{path}:{row.line}" for row in rows if isinstance(row.item, Rejected))


def test_a_mixed_csv_file_rejects_exactly_the_bad_rows(tmp_path: Path) -> None:
    rows = [
        ",".join(["external_id", "text", "published_at", "meta"]),
        "c-2,Acme is great,2026-03-01T10:00:00Z,",
        "c-3,Acme is great,2026-03-01T10:00:00Z",
        "c-4,Acme is great,not a date,",
        'c-5,Acme is great,2026-03-01T10:00:00Z,"{""a"": }"',
        "c-6,Acme is great,2026-03-01T10:00:00Z,[]",
        ",Acme is great,2026-03-01T10:00:00Z,",
        "c-8,,2026-03-01T10:00:00Z,",
        "c-9,Acme is great,2026-03-01T10:00:00Z,",
    ]
    path = write(tmp_path / "mixed.csv", "\n".join(rows) + "\n")
    assert outcomes(read(path)) == [
        (2, "c-2"),
        (3, "has 3 fields, the header has 4"),
        (4, "published_at: Input should be a valid datetime or date, invalid character in year"),
        (5, "meta: invalid JSON: Expecting value at column 7"),
        (6, "meta: expected a JSON object, got an array"),
        (7, "external_id: Field required"),
        (8, "mention has neither title nor text"),
        (9, "c-9"),
    ]


def test_several_errors_in_one_line_are_listed_briefly(tmp_path: Path) -> None:
    bad = {"source": "Not A Source", "external_id": " x", "lang": "english", "author": 5, "published_at": "x"}
    (row,) = read(write(tmp_path / "m.jsonl", jsonl(bad)))
    assert isinstance(row.item, Rejected)
    assert row.item.reason.startswith("source: String should match pattern")
    assert row.item.reason.endswith("(and 2 more)")
    assert row.item.reason.count(";") == 2


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_strict_mode_stops_at_the_first_bad_line(tmp_path: Path, suffix: str) -> None:
    if suffix == ".jsonl":
        content = jsonl(GOOD, {**GOOD, "external_id": "a-2"}, "{oops", {**GOOD, "published_at": "x"})
    else:
        lines = [
            "external_id,text,published_at",
            "a-1,t,2026-03-01T10:00Z",
            "a-2,t,2026-03-01T10:00Z",
            "a-3,t",
            "a-4,t,x",
        ]
        content = "\n".join(lines) + "\n"
    rows = read_mentions(write(tmp_path / f"m{suffix}", content), strict=True, now=NOW)
    assert [row.item.external_id for row in (next(rows), next(rows)) if isinstance(row.item, Mention)] == [
        "a-1",
        "a-2",
    ]
    with pytest.raises(InvalidLine) as raised:
        next(rows)
    assert raised.value.line == (3 if suffix == ".jsonl" else 4)
    assert str(raised.value).startswith(f"line {raised.value.line}: ")


def test_bom_crlf_blank_lines_and_non_ascii(tmp_path: Path) -> None:
    text = "Zoë in São Paulo loves her Acme 📱 — «très bien»"
    jsonl_path = write(
        tmp_path / "m.jsonl",
        b"\xef\xbb\xbf"
        + jsonl({**GOOD, "text": text}, "", "   ", {**GOOD, "external_id": "a-2"})
        .replace("\n", "\r\n")
        .encode(),
    )
    assert [(row.line, row.item.text) for row in read(jsonl_path) if isinstance(row.item, Mention)] == [
        (1, text),
        (4, GOOD["text"]),
    ]
    csv_lines = [
        "external_id,text,published_at",
        "",
        f'c-1,"{text}",2026-03-01T10:00Z',
        "",
        'c-2,"a',
        'b",2026-03-01T10:00Z',
    ]
    csv_content = "\r\n".join(csv_lines) + "\r\n"
    csv_path = write(tmp_path / "m.csv", b"\xef\xbb\xbf" + csv_content.encode())
    rows = read(csv_path)
    assert [(row.line, row.item.text) for row in rows if isinstance(row.item, Mention)] == [
        (3, text),
        (5, "a\r\nb"),
    ]


def test_bytes_that_are_not_utf8_reject_their_line(tmp_path: Path) -> None:
    good = jsonl(GOOD).encode()
    path = write(tmp_path / "m.jsonl", good + b'{"text": "caf\xe9"}\n' + good)
    assert outcomes(read(path)) == [(1, "a-1"), (2, "not valid UTF-8"), (3, "a-1")]
    csv_path = write(tmp_path / "m.csv", b"external_id,text,published_at\nc-1,caf\xe9,2026-03-01T10:00Z\n")
    assert outcomes(read(csv_path)) == [(2, "not valid UTF-8")]


def test_a_mention_that_cannot_travel_on_the_streams_is_rejected(tmp_path: Path) -> None:
    lone_surrogate = json.dumps({**GOOD, "meta": {"a": "\ud83d"}})  # escaped in JSON, not UTF-8
    oversize = {**GOOD, "text": "😀" * 70_000, "external_id": "s-2"}
    rows = read(write(tmp_path / "m.jsonl", jsonl(lone_surrogate, oversize, GOOD)))
    reasons = [row.item.reason if isinstance(row.item, Rejected) else "ok" for row in rows]
    assert reasons[0].startswith("payload is not encodable as UTF-8")
    assert reasons[1].startswith("payload is ")
    assert reasons[1].endswith("-byte limit")
    assert reasons[2] == "ok"


def test_rows_report_bytes_read_up_to_the_file_size(tmp_path: Path) -> None:
    path = write(tmp_path / "m.jsonl", jsonl(GOOD, "", {**GOOD, "text": "ünïcode"}, "{bad"))
    rows = read(path)
    sizes = [
        len(line.encode()) + 1 for line in jsonl(GOOD, "", {**GOOD, "text": "ünïcode"}, "{bad").splitlines()
    ]
    assert [row.bytes_read for row in rows] == [sizes[0], sum(sizes[:3]), sum(sizes)]
    assert rows[-1].bytes_read == path.stat().st_size
    assert count_lines(path) == 4


def test_count_lines_counts_a_last_line_without_newline(tmp_path: Path) -> None:
    assert count_lines(write(tmp_path / "a.jsonl", "")) == 0
    assert count_lines(write(tmp_path / "b.jsonl", "x\ny")) == 2
    assert count_lines(write(tmp_path / "c.jsonl", "x\n" * 10), chunk_bytes=3) == 10


def test_an_empty_file_or_a_header_alone_has_no_rows(tmp_path: Path) -> None:
    assert read(write(tmp_path / "a.jsonl", "")) == []
    assert read(write(tmp_path / "a.csv", "")) == []
    assert read(write(tmp_path / "b.csv", "external_id,text,published_at\n")) == []


def test_a_csv_header_with_duplicate_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidLine, match="distinct"):
        read(write(tmp_path / "a.csv", "text,text,published_at\nx,y,2026-03-01T10:00Z\n"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.jsonl", "jsonl"), ("a.NDJSON", "jsonl"), ("a.csv", "csv"), ("dir.v2/a.Csv", "csv")],
)
def test_the_format_comes_from_the_extension(name: str, expected: str) -> None:
    assert format_of(Path(name)) == expected


def test_an_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "export.txt", jsonl(GOOD))
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_mentions(path)
    with pytest.raises(ValueError, match="unknown file format"):
        read_mentions(path, file_format="xml")  # type: ignore[arg-type]
    assert outcomes(read(path, file_format="jsonl")) == [(1, "a-1")]


def test_a_large_file_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "large.jsonl"
    with path.open("w", encoding="utf-8") as file:
        for n in range(50_000):
            line = {**GOOD, "external_id": f"a-{n}", "text": f"Acme mention number {n} " * 5}
            file.write(json.dumps(line) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        rows = read_mentions(path, now=NOW)
        for _ in range(1000):
            row = next(rows)
        _, peak = tracemalloc.get_traced_memory()
        rows.close()
    finally:
        tracemalloc.stop()
    assert row.bytes_read < size / 20
    assert peak < size / 10  # the first rows come without reading the whole file
    started = time.perf_counter()
    assert sum(isinstance(row.item, Mention) for row in read_mentions(path, now=NOW)) == 50_000
    assert time.perf_counter() - started < 20  # about 1 s on a laptop

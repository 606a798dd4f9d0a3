"""The performance suite's one table: each figure the benches measured, its target and pass/fail.

    .venv/bin/python bench/summary.py

Reads what the benches wrote under bench/results/ (ingest, persist, enrich, api, e2e), prints the table
and writes it as bench/results/summary-<time>.json so runs can be compared. A bench that did not run
shows as "missing".
"""

import json
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
Figure = tuple[str, str, Callable[[dict[str, Any]], float], str, float]  # label, bench, value, op, target


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def worst(api: dict[str, Any], column: str, prefix: str = "") -> float:
    """The worst p95 over the API bench's endpoints for one column."""
    rows = [row for name, row in api.items() if isinstance(row, dict) and name.startswith(prefix)]
    if column == "own_alone":
        return max(p95(row["alone"]["own"]) for row in rows)
    if column == "own":
        return max(p95(row["uncached"]["own"] + row["cached"]["own"]) for row in rows)
    return max(float(row[column]["p95"]) for row in rows)


def enrich_ratio(enrich: dict[str, Any]) -> float:
    return float(next(row["ratio"] for row in enrich["rows"] if row["step"] == "full enrichment"))


FIGURES: list[Figure] = [
    ("ingest: mentions/s (batched)", "ingest", lambda r: r["batched_per_s"], ">=", 50_000),
    ("ingest: batched / naive", "ingest", lambda r: r["ratio"], ">=", 20),
    ("persist: rows/s (best batch)", "persist", lambda r: max(r["batched"].values()), ">=", 10_000),
    ("persist: batched / naive", "persist", lambda r: max(r["batched"].values()) / r["naive"], ">=", 20),
    ("enrich: full batched / per-message", "enrich", enrich_ratio, ">=", 5),
    ("enrich: worker mentions/s", "enrich", lambda r: r["worker_per_s"], ">=", 150),
    ("api: own cost p95 ms, one client", "api", lambda r: worst(r, "own_alone"), "<", 10),
    ("api: own cost p95 ms, 16 clients", "api", lambda r: worst(r, "own"), "<", 10),
    ("api: cached p95 ms, 16 clients", "api", lambda r: worst(r, "cached", "analytics"), "<", 20),
    ("api: rollups over 1M rows p95 ms", "api", lambda r: worst(r, "uncached", "rollups"), "<", 50),
    ("e2e: post -> searchable p95 s at 50/s", "e2e", lambda r: r["latency_s"]["p95"], "<", 2),
    ("e2e: sustained enriched mentions/s", "e2e", lambda r: r["sustained_per_s"], ">=", 150),
]


def evaluate() -> list[dict[str, Any]]:
    """Each figure with its value and verdict (value None when its bench has not run)."""
    loaded = {path.stem: json.loads(path.read_text()) for path in RESULTS.glob("*.json")}
    rows = []
    for label, name, value_of, op, target in FIGURES:
        value = value_of(loaded[name]) if name in loaded else None
        passed = value is not None and (value >= target if op == ">=" else value < target)
        verdict = "missing" if value is None else "pass" if passed else "FAIL"
        rows.append({"figure": label, "value": value, "target": f"{op} {target:g}", "result": verdict})
    return rows


def main() -> None:
    rows = evaluate()
    print(f"\n{'figure':<42}{'value':>12}  {'target':<12}result")
    for row in rows:
        shown = "-" if row["value"] is None else f"{row['value']:.1f}"
        print(f"{row['figure']:<42}{shown:>12}  {row['target']:<12}{row['result']}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"summary-{stamp}.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

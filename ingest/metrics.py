"""The ingesters' Prometheus metrics: what each source fetched, published, and what was dropped."""

from collections.abc import Mapping

from prometheus_client import Counter

# Pipeline counter -> the metric counting it, per source.
MENTIONS = {
    "fetched": Counter("brandpulse_ingest_fetched_total", "Mentions fetched from a source.", ["source"]),
    "published": Counter(
        "brandpulse_ingest_published_total", "New mentions published to the raw stream.", ["source"]
    ),
    "duplicate": Counter(
        "brandpulse_ingest_duplicates_total", "Mentions dropped as seen before (dedupe filter).", ["source"]
    ),
    "unmatched": Counter(
        "brandpulse_ingest_unmatched_total", "Mentions dropped as matching no brand query.", ["source"]
    ),
    "invalid": Counter("brandpulse_ingest_invalid_total", "Items that are not valid mentions.", ["source"]),
}


def count(source: str, counts: Mapping[str, int]) -> None:
    """Add one page's pipeline counters to the metrics."""
    for name, metric in MENTIONS.items():
        metric.labels(source).inc(counts.get(name, 0))

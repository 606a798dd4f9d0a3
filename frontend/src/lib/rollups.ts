/** PostgreSQL rollups (per brand, source and hour or day) summed into what the dashboard draws for long ranges. */
import type { Rollup } from "../services/types";

export interface SeriesPoint {
  time: string;
  mentions: number;
  positive: number;
  neutral: number;
  negative: number;
  net: number | null;
}

export interface Totals {
  mentions: number;
  positive: number;
  neutral: number;
  negative: number;
  net: number | null;
}

function net(positive: number, negative: number): number | null {
  return positive + negative ? (positive - negative) / (positive + negative) : null;
}

/** Everything in `rows` added up. */
export function rollupTotals(rows: readonly Rollup[]): Totals {
  const sum = (field: "mentions" | "positive" | "neutral" | "negative") => rows.reduce((total, row) => total + row[field], 0);
  const positive = sum("positive");
  const negative = sum("negative");
  return { mentions: sum("mentions"), positive, neutral: sum("neutral"), negative, net: net(positive, negative) };
}

/** One point per bucket (over brands and sources), oldest first. */
export function rollupSeries(rows: readonly Rollup[]): SeriesPoint[] {
  const buckets = new Map<string, Rollup[]>();
  for (const row of rows) buckets.set(row.start, [...(buckets.get(row.start) ?? []), row]);
  return [...buckets.entries()]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .map(([time, bucket]) => ({ time, ...rollupTotals(bucket) }));
}

/** Each brand's mentions and share of all brands' mentions, biggest first. */
export function rollupShares(rows: readonly Rollup[]): { brand_id: number; mentions: number; share: number | null }[] {
  const byBrand = new Map<number, number>();
  for (const row of rows) byBrand.set(row.brand_id, (byBrand.get(row.brand_id) ?? 0) + row.mentions);
  const total = [...byBrand.values()].reduce((a, b) => a + b, 0);
  return [...byBrand.entries()]
    .map(([brand_id, mentions]) => ({ brand_id, mentions, share: total ? mentions / total : null }))
    .sort((a, b) => b.mentions - a.mentions);
}

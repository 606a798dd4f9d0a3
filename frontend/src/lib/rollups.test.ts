import { describe, expect, it } from "vitest";

import type { Rollup } from "../services/types";
import { rollupSeries, rollupShares, rollupTotals } from "./rollups";

const row = (brand_id: number, start: string, source: string, positive: number, neutral: number, negative: number): Rollup => ({
  brand_id,
  source,
  start,
  mentions: positive + neutral + negative,
  positive,
  neutral,
  negative,
  sentiment_score_mean: null,
  unique_authors: null,
});

const ROWS = [
  row(1, "2026-11-02T00:00:00Z", "news", 3, 1, 1),
  row(2, "2026-11-01T00:00:00Z", "reddit", 0, 2, 2),
  row(1, "2026-11-01T00:00:00Z", "news", 4, 0, 0),
];

describe("rollups for long ranges", () => {
  it("adds everything up, with net sentiment", () => {
    expect(rollupTotals(ROWS)).toEqual({ mentions: 13, positive: 7, neutral: 3, negative: 3, net: 0.4 });
    expect(rollupTotals([]).net).toBeNull();
  });

  it("sums brands and sources per bucket, oldest first", () => {
    const series = rollupSeries(ROWS);
    expect(series.map((p) => [p.time, p.mentions])).toEqual([
      ["2026-11-01T00:00:00Z", 8],
      ["2026-11-02T00:00:00Z", 5],
    ]);
    expect(series[0]?.net).toBeCloseTo(2 / 6);
  });

  it("gives each brand its share of voice", () => {
    expect(rollupShares(ROWS)).toEqual([
      { brand_id: 1, mentions: 9, share: 9 / 13 },
      { brand_id: 2, mentions: 4, share: 4 / 13 },
    ]);
  });
});

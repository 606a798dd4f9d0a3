import { describe, expect, it } from "vitest";

import { durationMs, previousWindow, rangeQuery, readsRollups, windowOf } from "./range";

const NOW = Date.parse("2026-11-24T12:00:00Z");
const DAY = 86_400_000;

describe("date ranges", () => {
  it("parses the API's interval syntax", () => {
    expect(durationMs("30m")).toBe(1_800_000);
    expect(durationMs("24h")).toBe(DAY);
    expect(durationMs("7d")).toBe(7 * DAY);
    expect(durationMs("7w")).toBeNaN();
  });

  it("compares a window with the one just before it", () => {
    const window = windowOf({ last: "7d" }, NOW);
    expect(window).toEqual({ start: NOW - 7 * DAY, end: NOW });
    expect(previousWindow(window)).toEqual({ start: NOW - 14 * DAY, end: NOW - 7 * DAY });
  });

  it("reads rollups beyond a week, Elasticsearch up to it", () => {
    expect(readsRollups(windowOf({ last: "7d" }, NOW))).toBe(false);
    expect(readsRollups(windowOf({ last: "30d" }, NOW))).toBe(true);
    expect(readsRollups(windowOf({ since: "2026-01-01T00:00:00Z", until: "2026-03-01T00:00:00Z" }))).toBe(true);
  });

  it("sends `last` as it is, so the API can cache it", () => {
    expect(rangeQuery({ last: "24h" })).toEqual({ last: "24h" });
  });
});

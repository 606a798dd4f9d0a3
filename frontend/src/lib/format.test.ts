import { describe, expect, it } from "vitest";

import { formatAgo, formatAxisTime, formatChange, formatCount, formatNet, formatSeconds, formatShare } from "./format";

describe("formatting", () => {
  it("counts compactly only when large", () => {
    expect(formatCount(950)).toBe("950");
    expect(formatCount(9999)).toBe("9,999");
    expect(formatCount(12_345)).toBe("12.3K");
  });

  it("signs net sentiment with a real minus", () => {
    expect(formatNet(0.4213)).toBe("+0.42");
    expect(formatNet(-0.1)).toBe("−0.10");
    expect(formatNet(0)).toBe("0.00");
    expect(formatNet(-0.001)).toBe("0.00");
    expect(formatNet(null)).toBe("–");
  });

  it("shows shares as percentages", () => {
    expect(formatShare(0.256)).toBe("26%");
    expect(formatShare(0.256, 1)).toBe("25.6%");
    expect(formatShare(null)).toBe("–");
  });

  it("compares with the previous period", () => {
    expect(formatChange(120, 100)).toEqual({ text: "+20%", direction: "up" });
    expect(formatChange(50, 100)).toEqual({ text: "−50%", direction: "down" });
    expect(formatChange(5, 0)).toEqual({ text: "new", direction: "up" });
    expect(formatChange(0.1, 0.3, "absolute")).toEqual({ text: "−0.20", direction: "down" });
    expect(formatChange(0.33, 0.3, "points")).toEqual({ text: "+3 pts", direction: "up" });
    expect(formatChange(1, undefined)).toBeUndefined();
  });

  it("says durations and ages as people do", () => {
    expect(formatSeconds(300)).toBe("5 min");
    expect(formatSeconds(3600)).toBe("1 h");
    expect(formatSeconds(86_400)).toBe("1 d");
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(formatAgo("2026-11-24T11:59:50Z", now)).toBe("just now");
    expect(formatAgo("2026-11-24T11:55:00Z", now)).toBe("5 min ago");
    expect(formatAgo("2026-11-24T09:00:00Z", now)).toBe("3 h ago");
  });
});

describe("chart axis times", () => {
  const at = new Date(2026, 10, 24, 14, 5); // local time, as the axis shows it
  it("shows hours, then days with hours, then days as the span grows", () => {
    expect(formatAxisTime(at, 24 * 3_600_000)).toBe("14:05");
    expect(formatAxisTime(at, 7 * 86_400_000)).toBe("Nov 24 14:05");
    expect(formatAxisTime(at, 30 * 86_400_000)).toBe("Nov 24");
  });
});

import { describe, expect, it } from "vitest";

import { ticker } from "./ticker";

describe("live sentiment ticker", () => {
  it("counts only the window before now", () => {
    const now = 1_000_000;
    const state = ticker(
      [
        { at: now - 400_000, sentiment: "negative" },
        { at: now - 60_000, sentiment: "positive" },
        { at: now - 30_000, sentiment: "positive" },
        { at: now - 10_000, sentiment: "negative" },
        { at: now - 5_000, sentiment: null },
      ],
      now,
      300_000,
    );
    expect(state).toMatchObject({ mentions: 4, positive: 2, negative: 1, neutral: 0, perMinute: 0.8 });
    expect(state.net).toBeCloseTo(1 / 3);
  });

  it("has no net sentiment without labelled mentions", () => {
    expect(ticker([], 0).net).toBeNull();
  });
});

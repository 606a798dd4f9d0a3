import { describe, expect, it } from "vitest";

import type { Spike } from "../services/types";
import { filtersFromParams } from "./filters";
import { spikeInBucket, spikeSearchPath } from "./spikes";

const spike = (hour: string, mentions: number): Spike => ({ hour, mentions, baseline_mean: 10, baseline_sigma: 2, threshold: 16 });

describe("spike click to search", () => {
  it("opens Search on exactly the spike's hour, for the dashboard's brands", () => {
    const path = spikeSearchPath(spike("2026-11-24T14:00:00Z", 80), [2, 5]);
    const [page, query] = path.split("?");
    expect(page).toBe("/search");
    const filters = filtersFromParams(new URLSearchParams(query));
    expect(filters.brand).toEqual([2, 5]);
    expect(filters.since).toBe("2026-11-24T14:00:00.000Z");
    expect(filters.until).toBe("2026-11-24T15:00:00.000Z");
    expect(filters.last).toBeUndefined();
  });

  it("finds the busiest spike hour overlapping a chart bucket", () => {
    const spikes = [spike("2026-11-24T10:00:00Z", 40), spike("2026-11-24T13:00:00Z", 50), spike("2026-11-24T14:00:00Z", 90)];
    expect(spikeInBucket("2026-11-24T12:00:00Z", "3h", spikes)?.hour).toBe("2026-11-24T14:00:00Z");
    expect(spikeInBucket("2026-11-24T10:50:00Z", "10m", spikes)?.hour).toBe("2026-11-24T10:00:00Z");
    expect(spikeInBucket("2026-11-24T11:00:00Z", "1h", spikes)).toBeUndefined();
  });
});

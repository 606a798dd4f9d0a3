/** From a spike on the volume chart to the search that shows its mentions. */
import type { Spike } from "../services/types";
import { EMPTY_FILTERS, filtersToParams } from "./filters";
import { durationMs } from "./range";

const HOUR_MS = 3_600_000;

/** The spike hour overlapping the chart bucket that starts at `time` and lasts `interval` (the busiest). */
export function spikeInBucket(time: string, interval: string, spikes: Spike[]): Spike | undefined {
  const start = Date.parse(time);
  const end = start + durationMs(interval);
  const overlapping = spikes.filter((spike) => {
    const hour = Date.parse(spike.hour);
    return hour < end && start < hour + HOUR_MS;
  });
  return overlapping.sort((a, b) => b.mentions - a.mentions)[0];
}

/** The Search page URL for a spike's hour and the dashboard's brands. */
export function spikeSearchPath(spike: Pick<Spike, "hour">, brands: number[]): string {
  const since = new Date(Date.parse(spike.hour));
  const until = new Date(since.getTime() + HOUR_MS);
  const params = filtersToParams({
    ...EMPTY_FILTERS,
    brand: brands,
    since: since.toISOString(),
    until: until.toISOString(),
  });
  return `/search?${params.toString()}`;
}

/** Date ranges: a window ending now (`last`) or fixed bounds, the period before it, and which store reads it. */

export type Range = { last: string } | { since: string; until: string };
export interface Window {
  start: number;
  end: number;
}

export const PRESETS = [
  { label: "24 hours", last: "24h" },
  { label: "7 days", last: "7d" },
  { label: "30 days", last: "30d" },
  { label: "90 days", last: "90d" },
] as const;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Beyond a week dashboards read PostgreSQL's rollups, as `GET /api/rollups/hourly` does with `auto`. */
export const ROLLUPS_AFTER_MS = 7 * UNIT_MS.d;

/** The length of an interval like `30m`, `24h`, `7d` (also Elasticsearch's `1h`, `10m`), in ms; NaN if not one. */
export function durationMs(text: string): number {
  const match = /^([1-9][0-9]*)([mhd])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
}

/** The [start, end) a range covers at `now`, in epoch ms. */
export function windowOf(range: Range, now = Date.now()): Window {
  if ("last" in range) return { start: now - durationMs(range.last), end: now };
  return { start: Date.parse(range.since), end: Date.parse(range.until) };
}

/** The window of the same length just before `window`: what KPI changes compare against. */
export function previousWindow({ start, end }: Window): Window {
  return { start: start - (end - start), end: start };
}

/** Query parameters for a fixed window. */
export function windowQuery({ start, end }: Window): { since: string; until: string } {
  return { since: new Date(start).toISOString(), until: new Date(end).toISOString() };
}

/** Query parameters for a range: `last` as it is (the API caches those), or the fixed bounds. */
export function rangeQuery(range: Range): { last: string } | { since: string; until: string } {
  return "last" in range ? { last: range.last } : { since: range.since, until: range.until };
}

/** Whether a window is long enough to be read from the PostgreSQL rollups rather than Elasticsearch. */
export function readsRollups({ start, end }: Window): boolean {
  return end - start > ROLLUPS_AFTER_MS;
}

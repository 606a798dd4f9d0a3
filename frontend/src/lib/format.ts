/** How numbers, changes, sentiment and times read in the UI. */

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en");

/** 950, 1.2K, 3.4M. */
export function formatCount(value: number): string {
  return Math.abs(value) < 10_000 ? whole.format(value) : compact.format(value);
}

/** A share in [0, 1] as a percentage, `–` when unknown. */
export function formatShare(share: number | null | undefined, digits = 0): string {
  return share == null || Number.isNaN(share) ? "–" : `${(share * 100).toFixed(digits)}%`;
}

/** Net sentiment in [-1, 1] with its sign: +0.42, −0.10, `–` when unknown. */
export function formatNet(net: number | null | undefined): string {
  if (net == null || Number.isNaN(net)) return "–";
  const rounded = Math.round(net * 100) / 100;
  const text = Math.abs(rounded).toFixed(2);
  return rounded > 0 ? `+${text}` : rounded < 0 ? `−${text}` : text;
}

export interface Change {
  text: string;
  direction: "up" | "down" | "flat";
}

/**
 * The change from `previous` to `current`: relative (`+12%`) for counts, absolute (`+0.08`) for net
 * sentiment, percentage points (`−3 pts`) for shares; `new` when a count was 0 before; undefined when
 * either is unknown.
 */
export function formatChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  kind: "relative" | "absolute" | "points" = "relative",
): Change | undefined {
  if (current == null || previous == null) return undefined;
  const delta = current - previous;
  const direction = delta > 0 ? "up" : delta < 0 ? "down" : "flat";
  if (kind === "absolute") return { text: formatNet(delta), direction };
  if (kind === "points") {
    const points = Math.round(delta * 100);
    return { text: `${points > 0 ? "+" : points < 0 ? "−" : ""}${Math.abs(points)} pts`, direction };
  }
  if (previous === 0) return { text: current === 0 ? "0%" : "new", direction };
  const percent = Math.round((delta / previous) * 100);
  return { text: `${percent > 0 ? "+" : percent < 0 ? "−" : ""}${Math.abs(percent)}%`, direction };
}

/** A duration in seconds as people say it: 45 s, 5 min, 1 h, 2 d. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} d`;
}

/** How long ago `iso` was, relative to `now`: just now, 5 min ago, 3 h ago, 2 d ago. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return "just now";
  return `${formatSeconds(seconds).replace(/\.\d/, "")} ago`;
}

/** A timestamp in the viewer's locale, short: `Nov 24, 14:05`. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString("en", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}

const HOUR_MS = 3_600_000;

/** A time on a chart axis spanning `spanMs`: the hour within a day and a half, day and hour within ten
 * days, else the day. */
export function formatAxisTime(iso: string | Date, spanMs: number): string {
  const date = new Date(iso);
  const day = date.toLocaleDateString("en", { month: "short", day: "numeric" });
  const time = date.toLocaleTimeString("en", { hour: "2-digit", minute: "2-digit", hour12: false });
  if (spanMs <= 36 * HOUR_MS) return time;
  return spanMs <= 240 * HOUR_MS ? `${day} ${time}` : day;
}

/** The Live page's sentiment ticker: the mood of the last minutes of the feed. */

export interface Tick {
  at: number;
  sentiment: "positive" | "neutral" | "negative" | null;
}

export interface TickerState {
  mentions: number;
  positive: number;
  neutral: number;
  negative: number;
  /** (positive − negative) / (positive + negative), null without either. */
  net: number | null;
  perMinute: number;
}

/** The ticker over the ticks of the last `windowMs` before `now`. */
export function ticker(ticks: readonly Tick[], now: number, windowMs = 5 * 60_000): TickerState {
  const recent = ticks.filter((tick) => tick.at > now - windowMs && tick.at <= now);
  const count = (label: Tick["sentiment"]) => recent.filter((tick) => tick.sentiment === label).length;
  const positive = count("positive");
  const negative = count("negative");
  return {
    mentions: recent.length,
    positive,
    neutral: count("neutral"),
    negative,
    net: positive + negative ? (positive - negative) / (positive + negative) : null,
    perMinute: recent.length / (windowMs / 60_000),
  };
}

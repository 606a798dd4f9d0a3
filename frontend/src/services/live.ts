/** `WS /api/live`: newly indexed mentions and fired alerts. Not in the OpenAPI schema, so typed here from
 * the worker's `live_event` and the API's `AlertEvent`. */
import { useEffect, useRef, useState } from "react";

import { getApiKey } from "./apiKey";
import type { AlertEvent, Sentiment } from "./types";

export interface LiveMention {
  id: string;
  source: string;
  brand_ids: number[];
  title: string;
  url: string | null;
  author: string | null;
  published_at: string;
  sentiment: Sentiment | null;
  sentiment_score: number | null;
  emotion: string | null;
}

export type LiveEvent = { type: "mention"; data: LiveMention } | { type: "alert"; data: AlertEvent };
export type LiveStatus = "connecting" | "open" | "reconnecting";

const RETRY_MS = [500, 1000, 2000, 5000];

/** The feed's URL on the page's own host: `ws:` or `wss:`, the brands, and the key browsers must pass in the URL. */
export function liveUrl(origin: string, brands: readonly number[], key: string): string {
  const url = new URL("/api/live", origin.replace(/^http/, "ws"));
  for (const brand of brands) url.searchParams.append("brand", String(brand));
  if (key) url.searchParams.set("api_key", key);
  return url.toString();
}

/** Stay connected to the feed for `brands` (none: all), calling `onEvent` per event; reconnects with backoff. */
export function useLiveFeed(brands: readonly number[], onEvent: (event: LiveEvent) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const brandKey = brands.join(",");

  useEffect(() => {
    let socket: WebSocket | undefined;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      socket = new WebSocket(liveUrl(location.origin, brandKey ? brandKey.split(",").map(Number) : [], getApiKey()));
      socket.onopen = () => {
        attempt = 0;
        setStatus("open");
      };
      socket.onmessage = (message) => handler.current(JSON.parse(String(message.data)) as LiveEvent);
      socket.onclose = () => {
        if (stopped) return;
        setStatus("reconnecting");
        timer = setTimeout(connect, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
      };
    };
    setStatus("connecting");
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [brandKey]);
  return status;
}

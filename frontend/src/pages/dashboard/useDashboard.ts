/** Every query the dashboard draws from: Elasticsearch analytics for up to a week, PostgreSQL rollups beyond. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { previousWindow, rangeQuery, readsRollups, windowOf, windowQuery, type Range } from "../../lib/range";
import { rollupTotals, type Totals } from "../../lib/rollups";
import { api, unwrap } from "../../services/client";
import type { Distribution, MentionQuery } from "../../services/types";

type TopPath =
  | "/api/elastic/analytics/keywords"
  | "/api/elastic/analytics/sources"
  | "/api/elastic/analytics/authors";

function totalsOf(distribution: Distribution): Totals {
  const { positive, neutral, negative, net_sentiment } = distribution.sentiment;
  return { mentions: distribution.mentions, positive, neutral, negative, net: net_sentiment };
}

function useTop(path: TopPath, base: MentionQuery, limit: number) {
  return useQuery({ queryKey: [path, base, limit], queryFn: () => unwrap(api.GET(path, { params: { query: { ...base, limit } } })) });
}

export function useDashboard(brands: number[], range: Range) {
  const { base, previous, long } = useMemo(() => {
    const window = windowOf(range);
    const brand = brands.length ? { brand: brands } : {};
    return {
      base: { ...brand, ...rangeQuery(range) },
      previous: { ...brand, ...windowQuery(previousWindow(window)) },
      long: readsRollups(window),
    };
  }, [brands, range]);
  const es = !long;

  const volume = useQuery({
    queryKey: ["volume", base],
    queryFn: () => unwrap(api.GET("/api/elastic/analytics/volume", { params: { query: base } })),
    enabled: es,
  });
  const sentiment = useQuery({
    queryKey: ["sentiment", base],
    queryFn: () => unwrap(api.GET("/api/elastic/analytics/sentiment", { params: { query: base } })),
    enabled: es,
  });
  const share = useQuery({
    queryKey: ["share", base],
    queryFn: () => unwrap(api.GET("/api/elastic/analytics/share-of-voice", { params: { query: base } })),
    enabled: es,
  });
  const current = useQuery({
    queryKey: ["kpis", long, base],
    queryFn: async () =>
      long
        ? rollupTotals((await unwrap(api.GET("/api/rollups/hourly", { params: { query: base } }))).data)
        : totalsOf(await unwrap(api.GET("/api/elastic/analytics/distribution", { params: { query: base } }))),
  });
  const before = useQuery({
    queryKey: ["kpis", long, previous],
    queryFn: async () =>
      long
        ? rollupTotals((await unwrap(api.GET("/api/rollups/hourly", { params: { query: previous } }))).data)
        : totalsOf(await unwrap(api.GET("/api/elastic/analytics/distribution", { params: { query: previous } }))),
  });
  const rollups = useQuery({
    queryKey: ["rollups", base],
    queryFn: () => unwrap(api.GET("/api/rollups/hourly", { params: { query: base } })),
    enabled: long,
  });
  return {
    long,
    volume,
    sentiment,
    share,
    rollups,
    current,
    before,
    entities: useQuery({
      queryKey: ["entities", base],
      queryFn: () => unwrap(api.GET("/api/elastic/analytics/entities", { params: { query: { ...base, limit: 10 } } })),
    }),
    keywords: useTop("/api/elastic/analytics/keywords", base, 40),
    sources: useTop("/api/elastic/analytics/sources", base, 8),
    authors: useTop("/api/elastic/analytics/authors", base, 8),
  };
}

/** A brand query checked as it is typed: the API parses it (a 400 names the position) and returns its
 * latest matches, so one request both validates and previews. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { queryProblem } from "../../lib/queryError";
import { api, unwrap } from "../../services/client";

const DEBOUNCE_MS = 350;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function useQueryPreview(query: string) {
  const q = useDebounced(query.trim(), DEBOUNCE_MS);
  const preview = useQuery({
    queryKey: ["brand-preview", q],
    queryFn: () => unwrap(api.GET("/api/elastic/search", { params: { query: { q, sort: "newest", size: 5, last: "7d" } } })),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    meta: { silent: true }, // shown under the field
  });
  return { ...preview, problem: queryProblem(preview.error), settled: q === query.trim() };
}

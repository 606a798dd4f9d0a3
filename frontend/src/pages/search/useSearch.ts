/** Search results a page at a time on the API's cursor, for infinite scroll. */
import { useInfiniteQuery } from "@tanstack/react-query";

import { toMentionQuery, type Filters } from "../../lib/filters";
import { api, unwrap } from "../../services/client";

export type SortOrder = "relevance" | "newest";
export const PAGE_SIZE = 20;

export function useSearch(filters: Filters, sort: SortOrder) {
  return useInfiniteQuery({
    queryKey: ["search", filters, sort],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/elastic/search", {
          params: { query: { ...toMentionQuery(filters), sort, size: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    meta: { silent: true }, // the page shows its errors: a bad query under the query box
  });
}

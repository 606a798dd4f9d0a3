/** TanStack Query's client: every failed query or mutation goes through the one error reporter. */
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import { reportError } from "./errors";

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => reportError(error, query.meta) }),
  mutationCache: new MutationCache({
    onError: (error, _variables, _context, mutation) => reportError(error, mutation.meta),
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (failures, error) => failures < 2 && (error as { status?: number }).status === 0,
    },
  },
});

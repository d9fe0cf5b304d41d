import { QueryClient } from "@tanstack/react-query";
import { isApiUnreachable } from "./unreachable.ts";

/**
 * The dashboard's QueryClient. A failed read is tried once more (a restarting database,
 * PostgREST reloading its schema), but not when the API could not be reached at all:
 * the page says so at once, with its Try again button.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => failureCount < 1 && !isApiUnreachable(error),
        staleTime: 30_000,
      },
    },
  });
}

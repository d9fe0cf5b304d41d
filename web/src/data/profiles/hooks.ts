import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useSupabase } from "../SupabaseProvider.tsx";
import { feedCountQueryOptions, feedQueryOptions, publicProfileQueryOptions } from "./queries.ts";
import type { FeedFilters } from "./types.ts";

/** The feed for these filters; while new filters load, the previous results stay on screen. */
export function useFeedQuery(filters: FeedFilters) {
  const client = useSupabase();
  return useInfiniteQuery({ ...feedQueryOptions(client, filters), placeholderData: keepPreviousData });
}

/** The feed's total for these filters (see fetchFeedCount). */
export function useFeedCountQuery(filters: FeedFilters) {
  const client = useSupabase();
  return useQuery(feedCountQueryOptions(client, filters));
}

export function usePublicProfileQuery(clerkId: string) {
  const client = useSupabase();
  return useQuery(publicProfileQueryOptions(client, clerkId));
}

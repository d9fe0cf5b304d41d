import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { Supabase } from "../supabase.ts";
import { fetchFeedCount, fetchFeedPage, fetchPublicProfile } from "./fetchers.ts";
import { profileKeys } from "./keys.ts";
import type { FeedCursor, FeedFilters } from "./types.ts";

export function feedQueryOptions(client: Supabase, filters: FeedFilters) {
  return infiniteQueryOptions({
    queryKey: profileKeys.feed(filters),
    queryFn: ({ pageParam }) => fetchFeedPage(client, filters, pageParam),
    initialPageParam: null as FeedCursor | null,
    getNextPageParam: (lastPage) => lastPage.next,
  });
}

export function feedCountQueryOptions(client: Supabase, filters: FeedFilters) {
  return queryOptions({
    queryKey: profileKeys.feedCount(filters),
    queryFn: () => fetchFeedCount(client, filters),
  });
}

export function publicProfileQueryOptions(client: Supabase, clerkId: string) {
  return queryOptions({
    queryKey: profileKeys.detail(clerkId),
    queryFn: () => fetchPublicProfile(client, clerkId),
  });
}

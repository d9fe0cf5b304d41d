import type { FeedFilters } from "./types.ts";

/** Query keys of public profiles: invalidate `all` after anything a profile shows changes. */
export const profileKeys = {
  all: ["profiles"] as const,
  feeds: () => [...profileKeys.all, "feed"] as const,
  feed: (filters: FeedFilters) => [...profileKeys.feeds(), filters] as const,
  feedCounts: () => [...profileKeys.all, "feed-count"] as const,
  feedCount: (filters: FeedFilters) => [...profileKeys.feedCounts(), filters] as const,
  details: () => [...profileKeys.all, "detail"] as const,
  detail: (clerkId: string) => [...profileKeys.details(), clerkId] as const,
};

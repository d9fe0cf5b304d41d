import type { Supabase } from "../supabase.ts";
import type { FeedCount, FeedCursor, FeedFilters, FeedPage, PublicProfile } from "./types.ts";

export const feedPageSize = 24;

/** Every column of public_profiles, named so a new column is a decision, not an accident. */
export const publicProfileColumns = "clerk_id, username, first_name, last_name, image_url, bio, country, birthday, created_at";

/**
 * One page of the feed, newest first, after `cursor` (keyset pagination through the
 * profile_feed function: the page costs the same however deep it is). Asks for one row
 * more than it shows, to know whether another page exists.
 */
export async function fetchFeedPage(
  client: Supabase,
  filters: FeedFilters,
  cursor: FeedCursor | null,
  pageSize = feedPageSize,
): Promise<FeedPage> {
  const { data, error } = await client
    .rpc(
      "profile_feed",
      {
        search: filters.search.trim() || undefined,
        country: filters.country ?? undefined,
        before_created_at: cursor?.createdAt,
        before_clerk_id: cursor?.clerkId,
        page_size: pageSize + 1,
      },
      { get: true },
    )
    .select(publicProfileColumns);
  if (error) throw error;
  const profiles = data.slice(0, pageSize);
  const last = profiles.at(-1);
  const next = data.length > pageSize && last?.created_at ? { createdAt: last.created_at, clerkId: last.clerk_id } : null;
  return { profiles, next };
}

/** profile_feed_count stops counting here: a feed larger than this is "more than 10,000". */
export const feedCountCap = 10_000;

/**
 * How many profiles the feed has for these filters: the exact number, or, past
 * feedCountCap, only that there are more (the count stops there, so it stays cheap).
 */
export async function fetchFeedCount(client: Supabase, filters: FeedFilters): Promise<FeedCount> {
  const { data, error } = await client.rpc(
    "profile_feed_count",
    { search: filters.search.trim() || undefined, country: filters.country ?? undefined, up_to: feedCountCap },
    { get: true },
  );
  if (error) throw error;
  return data > feedCountCap ? { count: feedCountCap, moreThan: true } : { count: data, moreThan: false };
}

/** One public profile, or null when there is none (never synced, or deleted). */
export async function fetchPublicProfile(client: Supabase, clerkId: string): Promise<PublicProfile | null> {
  const { data, error } = await client
    .from("public_profiles")
    .select(publicProfileColumns)
    .eq("clerk_id", clerkId)
    .maybeSingle();
  if (error) throw error;
  return data;
}

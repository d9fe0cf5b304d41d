import type { Database } from "../supabase.ts";

/** A profile as anyone may see it: the public_profiles view's row (no email, ever). */
export type PublicProfile = Database["public"]["Views"]["public_profiles"]["Row"];

export interface FeedFilters {
  /** Words typed in the search box; each must start a word of the name or username. */
  search: string;
  /** ISO 3166-1 alpha-2 code, or null for every country. */
  country: string | null;
}

/** The last profile of a page: the next page starts right after it. */
export interface FeedCursor {
  createdAt: string;
  clerkId: string;
}

/** The feed's total: `count` exactly, or more than `count` when `moreThan`. */
export interface FeedCount {
  count: number;
  moreThan: boolean;
}

export interface FeedPage {
  profiles: PublicProfile[];
  /** Null on the last page. */
  next: FeedCursor | null;
}

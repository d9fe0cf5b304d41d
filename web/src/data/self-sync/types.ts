import type { Database } from "../supabase.ts";

type Outcome = Database["public"]["Enums"]["clerk_event_outcome"];

/** What clerk-sync-self answers to a pull that ran (200). */
export type SelfSyncAnswer =
  /** Clerk has the user: their row (and memberships) are as Clerk holds them now. */
  | { result: "synced"; user_id: string; outcome: Outcome; memberships: number }
  /** Clerk has no such user any more: the row is tombstoned, and the session is over. */
  | { result: "deleted"; user_id: string; outcome: Outcome };

/** Why a pull did not run, as the dashboard shows it. */
export type SelfSyncFailure =
  /** 429: this user pulled less than the interval ago. */
  | "rate_limited"
  /** 503: Clerk limits or fails, or cannot be reached from the function. */
  | "clerk_unavailable"
  /** The function itself could not be reached. */
  | "unreachable"
  /** Any other refusal (401, 5xx of ours): its message says what to do. */
  | "refused";

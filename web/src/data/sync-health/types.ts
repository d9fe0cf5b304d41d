import type { Database } from "../supabase.ts";

export type Outcome = Database["public"]["Enums"]["clerk_event_outcome"];

/** The outcomes a webhook ends in, as the chart shows them (duplicates are counted on the first delivery's row). */
export const chartOutcomes = ["applied", "stale", "ignored", "failed"] as const;
export type ChartOutcome = (typeof chartOutcomes)[number];

export type MinuteCounts = { minute: string } & Record<ChartOutcome, number>;

export interface FailedEvent {
  svix_id: string;
  type: string;
  object_id: string | null;
  source: "webhook" | "backfill" | "reconcile" | "pull";
  event_at: string;
  received_at: string;
  attempts: number;
  /** SQLSTATE and message of the last failure. */
  error: string | null;
}

/** What public.sync_health_report answers (see supabase/schemas/80_health_admin.sql). */
export interface SyncHealthReport {
  generated_at: string;
  window_minutes: number;
  stale_after_seconds: number | null;
  /** The last webhook (backfill, reconcile and pull rows are not webhooks). Null: none ever. */
  last_event_received_at: string | null;
  last_event_at: string | null;
  last_event_age_seconds: number | null;
  /** No webhook for longer than stale_after_seconds. */
  stalled: boolean;
  /** Received minus event time, over the window; `last` is the last webhook's. */
  lag_seconds: { p50: number | null; p95: number | null; max: number | null; last: number | null };
  per_minute: MinuteCounts[];
  redelivered_in_window: number;
  /** Rows read from Clerk's Backend API: backfill, reconcile, and signed-in users' own pulls (clerk-sync-self). */
  api_rows_in_window: { backfill: number; reconcile: number; pull: number };
  failed_count: number;
  /** The 50 newest. */
  failed: FailedEvent[];
  ledger_rows: number;
  ledger_bytes: number;
}

export interface HealthSettings {
  windowMinutes: number;
  /** Warn when no webhook has arrived for this long. */
  staleAfterSeconds: number;
}

/** What clerk-sync-admin answers to a replay that ran. */
export interface ReplayAnswer {
  svix_id: string;
  /** "failed" when it still cannot be stored. */
  outcome: Outcome;
}

/** What clerk-sync-admin answers to a discard that ran. */
export interface DiscardAnswer {
  svix_id: string;
  outcome: "discarded";
  /** The admin's Clerk user id, as the ledger records it. */
  discarded_by: string;
  discarded_at: string;
}

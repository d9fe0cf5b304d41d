/**
 * Re-applies the ledger's failed events once a fix is deployed: the one implementation
 * behind `npm run clerk -- replay-failed` and the dashboard's Replay button (the
 * clerk-sync-admin function). Each row's stored payload goes through the same parsing,
 * mappers and apply_clerk_event as a webhook delivery, under its own message id, so a
 * replay is exactly-once too: a row that is no longer failed is never applied again.
 * Needs a service-role client.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import { createEventApplier } from "./apply.ts";
import type { Database } from "./database.types.ts";
import { DatabaseError, InvalidEventError } from "./errors.ts";
import { ledgerEvent, type Outcome, parseEnvelope } from "./events.ts";

export interface ReplaySummary {
  /** Failed rows found. */
  found: number;
  /** What apply_clerk_event answered for each replayed row, by outcome. */
  outcomes: Partial<Record<Outcome, number>>;
  /** Rows whose stored payload this version still cannot read; left as failed. */
  unreadable: Array<{ svixId: string; error: string }>;
}

export interface ReplayOptions {
  /** Only these message ids (default: every failed row). */
  ids?: string[];
  /** At most this many rows, oldest first (default 1000). */
  limit?: number;
  onEvent?: (svixId: string, result: Outcome | "unreadable") => void;
}

export async function replayFailed(client: SupabaseClient<Database>, options: ReplayOptions = {}): Promise<ReplaySummary> {
  let query = client.from("clerk_events").select("svix_id, payload, received_at").eq("outcome", "failed");
  if (options.ids) query = query.in("svix_id", options.ids);
  const { data: rows, error } = await query.order("received_at").limit(options.limit ?? 1000);
  if (error) throw new DatabaseError(`reading failed events: ${error.message}`, error.code);

  const apply = createEventApplier(client);
  const summary: ReplaySummary = { found: rows.length, outcomes: {}, unreadable: [] };
  for (const row of rows) {
    let outcome: Outcome;
    try {
      outcome = await apply(ledgerEvent(row.svix_id, parseEnvelope(row.payload), new Date(row.received_at)));
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      summary.unreadable.push({ svixId: row.svix_id, error: error.message });
      options.onEvent?.(row.svix_id, "unreadable");
      continue;
    }
    summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
    options.onEvent?.(row.svix_id, outcome);
  }
  return summary;
}

/** What replaying one message id came to. */
export type SingleReplay =
  /** It was failed and went through apply_clerk_event again ("failed" if it still cannot be stored). */
  | { result: "replayed"; outcome: Outcome }
  /** It was failed, and its stored payload still cannot be read; it stays failed. */
  | { result: "unreadable"; error: string }
  /** The ledger has it, but it is not failed (already replayed, or never failed): nothing done. */
  | { result: "not_failed"; outcome: Outcome }
  /** The ledger has no such message. */
  | { result: "unknown" };

/** Replays one failed message, through replayFailed, and says what became of it. */
export async function replayFailedEvent(client: SupabaseClient<Database>, svixId: string): Promise<SingleReplay> {
  const summary = await replayFailed(client, { ids: [svixId], limit: 1 });
  if (summary.unreadable.length > 0) return { result: "unreadable", error: summary.unreadable[0].error };
  const outcome = Object.keys(summary.outcomes)[0] as Outcome | undefined;
  if (outcome) return { result: "replayed", outcome };

  const { data, error } = await client.from("clerk_events").select("outcome").eq("svix_id", svixId).maybeSingle();
  if (error) throw new DatabaseError(`reading event ${svixId}: ${error.message}`, error.code);
  return data ? { result: "not_failed", outcome: data.outcome } : { result: "unknown" };
}

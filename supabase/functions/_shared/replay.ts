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
import { InvalidMessageIdError, isMessageId } from "./message-id.ts";

export interface ReplaySummary {
  /** Failed rows found. */
  found: number;
  /** What apply_clerk_event answered for each replayed row, by outcome. */
  outcomes: Partial<Record<Outcome, number>>;
  /** Rows whose stored payload this version still cannot read; left as failed. */
  unreadable: Array<{ svixId: string; error: string }>;
  /** Rows the database refused again, with its error (SQLSTATE: message); left as failed. */
  failedAgain: Array<{ svixId: string; error: string }>;
  /** Of the ids asked for: those in the ledger but not failed (nothing done). */
  notFailed: Array<{ svixId: string; outcome: Outcome }>;
  /** Of the ids asked for: those the ledger does not have. */
  unknown: string[];
}

export interface ReplayOptions {
  /** Only these message ids (default: every failed row). */
  ids?: string[];
  /** At most this many rows, oldest first (default 1000). */
  limit?: number;
  /** Called after each row; `error` says why it is still failed (unreadable, or refused again). */
  onEvent?: (svixId: string, result: Outcome | "unreadable", error?: string) => void;
}

/**
 * Replays failed rows, oldest first. Throws InvalidMessageIdError for an id that is not a
 * message id (callers check first and answer 400 or exit 2), DatabaseError when the
 * ledger cannot be read.
 */
export async function replayFailed(client: SupabaseClient<Database>, options: ReplayOptions = {}): Promise<ReplaySummary> {
  const ids = options.ids;
  const invalid = ids?.find((id) => !isMessageId(id));
  if (invalid !== undefined) throw new InvalidMessageIdError(invalid);
  let query = client.from("clerk_events").select("svix_id, payload, received_at").eq("outcome", "failed");
  if (ids?.length === 1) query = query.eq("svix_id", ids[0]);
  else if (ids) query = query.in("svix_id", ids);
  const { data: rows, error } = await query.order("received_at").limit(options.limit ?? 1000);
  if (error) throw new DatabaseError(`reading failed events: ${error.message}`, error.code);

  const apply = createEventApplier(client);
  const summary: ReplaySummary = { found: rows.length, outcomes: {}, unreadable: [], failedAgain: [], notFailed: [], unknown: [] };
  for (const row of rows) {
    let outcome: Outcome;
    try {
      outcome = await apply(ledgerEvent(row.svix_id, parseEnvelope(row.payload), new Date(row.received_at)));
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      summary.unreadable.push({ svixId: row.svix_id, error: error.message });
      options.onEvent?.(row.svix_id, "unreadable", error.message);
      continue;
    }
    summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
    const refusal = outcome === "failed" ? await ledgerError(client, row.svix_id) : undefined;
    if (refusal !== undefined) summary.failedAgain.push({ svixId: row.svix_id, error: refusal });
    options.onEvent?.(row.svix_id, outcome, refusal);
  }
  if (ids) await sortOutMissing(client, ids.filter((id) => !rows.some((row) => row.svix_id === id)), summary);
  return summary;
}

/** The error apply_clerk_event recorded for a row it refused: `SQLSTATE: message`. */
async function ledgerError(client: SupabaseClient<Database>, svixId: string): Promise<string> {
  const { data, error } = await client.from("clerk_events").select("error").eq("svix_id", svixId).maybeSingle();
  if (error) throw new DatabaseError(`reading event ${svixId}: ${error.message}`, error.code);
  return data?.error ?? "no error recorded";
}

/** Ids asked for that were not failed rows: settled ones (and how), and unknown ones. */
async function sortOutMissing(client: SupabaseClient<Database>, missing: string[], summary: ReplaySummary): Promise<void> {
  if (missing.length === 0) return;
  const query = client.from("clerk_events").select("svix_id, outcome");
  const { data, error } = await (missing.length === 1 ? query.eq("svix_id", missing[0]) : query.in("svix_id", missing));
  if (error) throw new DatabaseError(`reading events: ${error.message}`, error.code);
  for (const id of missing) {
    const row = data.find((candidate) => candidate.svix_id === id);
    if (row) summary.notFailed.push({ svixId: id, outcome: row.outcome });
    else summary.unknown.push(id);
  }
}

/** What replaying one message id came to. */
export type SingleReplay =
  /** It was failed and went through apply_clerk_event again; `error` is the database's if it still cannot be stored. */
  | { result: "replayed"; outcome: Outcome; error?: string }
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
  if (summary.failedAgain.length > 0) return { result: "replayed", outcome: "failed", error: summary.failedAgain[0].error };
  const outcome = Object.keys(summary.outcomes)[0] as Outcome | undefined;
  if (outcome) return { result: "replayed", outcome };
  if (summary.notFailed.length > 0) return { result: "not_failed", outcome: summary.notFailed[0].outcome };
  return { result: "unknown" };
}

/**
 * `npm run clerk -- replay-failed`: re-applies the ledger's failed events once a fix is
 * deployed. Each row's stored payload goes through the same parsing, mappers and
 * apply_clerk_event as a webhook delivery, under its own message id, so a replay is
 * exactly-once too: a row that is no longer failed is never applied again.
 */
import { parseArgs } from "node:util";
import type { SupabaseClient } from "@supabase/supabase-js";
import { createEventApplier } from "../../supabase/functions/_shared/apply.ts";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import { ledgerEvent, type Outcome, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { requireStatus } from "../lib/status.ts";
import { createNodeClient } from "../lib/supabase.ts";

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
  if (error) throw new Error(`reading failed events: ${error.message}`);

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

/** One line for people: "3 failed events replayed: 2 applied, 1 failed again". */
export function describeReplay(summary: ReplaySummary): string {
  if (summary.found === 0) return "No failed events to replay.";
  const parts = Object.entries(summary.outcomes).map(([outcome, n]) => `${n} ${outcome === "failed" ? "failed again" : outcome}`);
  if (summary.unreadable.length > 0) parts.push(`${summary.unreadable.length} still unreadable`);
  return `${summary.found} failed event${summary.found === 1 ? "" : "s"} replayed: ${parts.join(", ")}.`;
}

/**
 * The CLI command. Talks to the running local stack, or to the project named by
 * SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY when both are set (a deployed one).
 */
export async function replayFailedCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { id: { type: "string", multiple: true }, limit: { type: "string" } } });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error("--limit must be a positive whole number.");
  const env = { url: process.env.SUPABASE_URL, key: process.env.SUPABASE_SERVICE_ROLE_KEY };
  const target = env.url && env.key ? env : await requireStatus(stackOptionsFromEnv().stateDir).then((s) => ({ url: s.apiUrl, key: s.serviceRoleKey }));
  const summary = await replayFailed(createNodeClient(target.url!, target.key!), {
    ids: values.id,
    limit,
    onEvent: (svixId, result) => console.log(`${result === "applied" || result === "stale" || result === "ignored" ? "✓" : "✗"} ${svixId} → ${result}`),
  });
  for (const { svixId, error } of summary.unreadable) console.error(`  ${svixId}: ${error}`);
  console.log(describeReplay(summary));
  return (summary.outcomes.failed ?? 0) + summary.unreadable.length === 0 ? 0 : 1;
}

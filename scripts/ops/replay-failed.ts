/**
 * `replay-failed`: re-applies the ledger's failed events once a fix is deployed. Each
 * row's stored payload goes through the same parsing, mappers and apply_clerk_event as
 * a webhook delivery, under its own message id, so a replay is exactly-once too: a row
 * that is no longer failed is never applied again. The work is done by
 * supabase/functions/_shared/replay.ts (shared with the clerk-sync-admin function, the
 * dashboard's Replay button); this file is the command around it.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { type ReplaySummary, replayFailed } from "../../supabase/functions/_shared/replay.ts";

export { type ReplayOptions, type ReplaySummary, replayFailed } from "../../supabase/functions/_shared/replay.ts";

/** One line for people: "3 failed events replayed: 2 applied, 1 failed again". */
export function describeReplay(summary: ReplaySummary): string {
  if (summary.found === 0) return "No failed events to replay.";
  const parts = Object.entries(summary.outcomes).map(([outcome, n]) => `${n} ${outcome === "failed" ? "failed again" : outcome}`);
  if (summary.unreadable.length > 0) parts.push(`${summary.unreadable.length} still unreadable`);
  return `${summary.found} failed event${summary.found === 1 ? "" : "s"} replayed: ${parts.join(", ")}.`;
}

/** Replays and prints one line per event and a summary; 0 when none failed again. */
export async function replayFailedAndReport(client: SupabaseClient<Database>, options: { ids?: string[]; limit?: number }): Promise<number> {
  const summary = await replayFailed(client, {
    ids: options.ids,
    limit: options.limit,
    onEvent: (svixId, result) => console.log(`${result === "applied" || result === "stale" || result === "ignored" ? "✓" : "✗"} ${svixId} → ${result}`),
  });
  for (const { svixId, error } of summary.unreadable) console.error(`  ${svixId}: ${error}`);
  console.log(describeReplay(summary));
  return (summary.outcomes.failed ?? 0) + summary.unreadable.length === 0 ? 0 : 1;
}

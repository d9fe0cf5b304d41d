/**
 * `npm run clerk -- replay-failed`: re-applies the ledger's failed events once a fix is
 * deployed. Each row's stored payload goes through the same parsing, mappers and
 * apply_clerk_event as a webhook delivery, under its own message id, so a replay is
 * exactly-once too: a row that is no longer failed is never applied again. The work is
 * done by supabase/functions/_shared/replay.ts; this file is the command around it.
 */
import { parseArgs } from "node:util";
import { type ReplaySummary, replayFailed } from "../../supabase/functions/_shared/replay.ts";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { requireStatus } from "../lib/status.ts";
import { createNodeClient } from "../lib/supabase.ts";

// The replay itself is shared with the clerk-sync-admin function (the dashboard's
// Replay button), so there is one implementation of it.
export { type ReplayOptions, type ReplaySummary, replayFailed } from "../../supabase/functions/_shared/replay.ts";

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

/**
 * `prune-ledger`: clears the ledger's payloads (and deletes rows) older than a age, by
 * prune_clerk_events; failed events are kept for replay.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { CommandError, UsageError } from "../lib/cli.ts";

export interface PruneResult {
  payloads_cleared: number;
  rows_deleted: number;
}

export async function pruneLedger(client: SupabaseClient<Database>, olderThan: string, deleteOlderThan?: string): Promise<PruneResult> {
  const { data, error } = await client.rpc("prune_clerk_events", {
    payloads_older_than: interval(olderThan, "--older-than"),
    rows_older_than: deleteOlderThan ? interval(deleteOlderThan, "--delete-older-than") : undefined,
  });
  if (error) throw new CommandError(error.message);
  return data as unknown as PruneResult;
}

/** `30d`, `12h`, `90m`, `2w` as a PostgreSQL interval. */
export function interval(value: string, flag: string): string {
  const match = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} takes a number and a unit (m, h, d or w), e.g. 30d; got "${value}".`);
  const unit = { m: "minutes", h: "hours", d: "days", w: "weeks" }[match[2] as "m" | "h" | "d" | "w"];
  return `${match[1]} ${unit}`;
}

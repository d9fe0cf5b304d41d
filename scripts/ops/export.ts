/**
 * `export`: the ledger's events that still hold their payload, oldest first, as JSONL
 * in the shape `replay` reads: `{ "svix_id": "msg_…", "event": { … } }` a line. The
 * payload is what the ledger keeps (private and unsafe metadata and the request's IP
 * were never stored), so an export holds nothing the database did not.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { CommandError } from "../lib/cli.ts";

export interface ExportOptions {
  /** An event type, or a prefix ending in `.*` (`user.*`). */
  type?: string;
  limit?: number;
  /** Rows per request (PostgREST's max_rows is 1000). */
  pageSize?: number;
}

/** Yields one JSONL line per event. */
export async function* exportEvents(client: SupabaseClient<Database>, options: ExportOptions = {}): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 1000;
  let left = options.limit ?? Infinity;
  for (let from = 0; left > 0; from += pageSize) {
    let query = client.from("clerk_events").select("svix_id, payload").not("payload", "is", null);
    if (options.type?.endsWith(".*")) query = query.like("type", `${options.type.slice(0, -1)}%`);
    else if (options.type) query = query.eq("type", options.type);
    const size = Math.min(pageSize, left);
    const { data, error } = await query.order("received_at").order("svix_id").range(from, from + size - 1);
    if (error) throw new CommandError(`reading clerk_events: ${error.message}`);
    for (const row of data) yield JSON.stringify({ svix_id: row.svix_id, event: row.payload });
    left -= data.length;
    if (data.length < size) return;
  }
}

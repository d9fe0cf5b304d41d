/**
 * `prune-ledger`: clears the ledger's payloads (and deletes rows) older than an age,
 * by prune_clerk_events; failed events are kept for replay. A dry run asks the ledger
 * which rows the same rules select, and changes nothing.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { CommandError, UsageError } from "../lib/cli.ts";

type Client = SupabaseClient<Database>;

export interface PruneResult {
  payloads_cleared: number;
  rows_deleted: number;
}

/** An age on the command line: `30d`, `12h`, `90m`, `2w`. */
export interface Age {
  /** As typed, for messages. */
  text: string;
  /** As a PostgreSQL interval, for prune_clerk_events. */
  interval: string;
  ms: number;
}

const units = {
  m: { name: "minutes", ms: 60_000 },
  h: { name: "hours", ms: 3_600_000 },
  d: { name: "days", ms: 86_400_000 },
  w: { name: "weeks", ms: 604_800_000 },
} as const;

/** prune_clerk_events refuses to delete rows younger than this: Svix retries a message for about 28 hours. */
const minimumRowAgeMs = 2 * units.d.ms;

export function age(value: string, flag: string): Age {
  const match = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} takes a number and a unit (m, h, d or w), e.g. 30d; got "${value}".`);
  const unit = units[match[2] as keyof typeof units];
  return { text: value.trim(), interval: `${match[1]} ${unit.name}`, ms: Number(match[1]) * unit.ms };
}

/** `30d`, `12h`, `90m`, `2w` as a PostgreSQL interval. */
export function interval(value: string, flag: string): string {
  return age(value, flag).interval;
}

export interface PruneRequest {
  payloadsOlderThan: Age;
  rowsOlderThan?: Age;
}

export function pruneRequest(olderThan: string | undefined, deleteOlderThan: string | undefined): PruneRequest {
  if (!olderThan) throw new UsageError("prune-ledger needs --older-than, e.g. --older-than 30d.");
  const rowsOlderThan = deleteOlderThan === undefined ? undefined : age(deleteOlderThan, "--delete-older-than");
  if (rowsOlderThan && rowsOlderThan.ms < minimumRowAgeMs) {
    throw new UsageError("--delete-older-than must be at least 2d: Svix retries a message for about 28 hours, and a retry must find its row.");
  }
  return { payloadsOlderThan: age(olderThan, "--older-than"), rowsOlderThan };
}

export async function pruneLedger(client: Client, request: PruneRequest): Promise<PruneResult> {
  const { data, error } = await client.rpc("prune_clerk_events", {
    payloads_older_than: request.payloadsOlderThan.interval,
    rows_older_than: request.rowsOlderThan?.interval,
  });
  if (error) throw new CommandError(`prune_clerk_events: ${error.message}`);
  return data as unknown as PruneResult;
}

/** The rows a selection holds: how many, and the oldest and newest by arrival. */
export interface LedgerRange {
  count: number;
  oldest?: { svix_id: string; received_at: string };
  newest?: { svix_id: string; received_at: string };
}

export interface PrunePreview {
  /** Rows whose payload would be cleared. */
  payloads: LedgerRange;
  /** Rows that would be deleted; null without --delete-older-than. */
  rows: LedgerRange | null;
}

/**
 * What pruneLedger would do now, by the rules of prune_clerk_events: rows older than
 * the row age are deleted first; of the rest, payloads older than the payload age are
 * cleared; failed events are never touched. The ages count back from this machine's
 * clock, where the function counts from the database's.
 */
export async function previewPrune(client: Client, request: PruneRequest, now = Date.now()): Promise<PrunePreview> {
  const before = (ms: number) => new Date(now - ms).toISOString();
  const rowsBefore = request.rowsOlderThan ? before(request.rowsOlderThan.ms) : null;
  const range = async (narrow: (query: ReturnType<typeof select>) => ReturnType<typeof select>): Promise<LedgerRange> => {
    const [oldest, newest] = await Promise.all([true, false].map((ascending) =>
      narrow(select()).order("received_at", { ascending }).order("svix_id", { ascending }).limit(1)
    ));
    const error = oldest.error ?? newest.error;
    if (error) throw new CommandError(`reading clerk_events: ${error.message}`);
    return { count: oldest.count ?? 0, oldest: oldest.data?.[0], newest: newest.data?.[0] };
  };
  const select = () => client.from("clerk_events").select("svix_id, received_at", { count: "exact" }).neq("outcome", "failed");

  const payloads = await range((query) => {
    const old = query.lt("received_at", before(request.payloadsOlderThan.ms)).not("payload", "is", null);
    return rowsBefore ? old.gte("received_at", rowsBefore) : old;
  });
  const rows = rowsBefore ? await range((query) => query.lt("received_at", rowsBefore)) : null;
  return { payloads, rows };
}

export function describePreview(request: PruneRequest, preview: PrunePreview): string {
  const span = (range: LedgerRange) =>
    range.count === 0 || !range.oldest || !range.newest
      ? ""
      : `: received ${range.oldest.received_at} to ${range.newest.received_at}, ${range.oldest.svix_id} … ${range.newest.svix_id}`;
  const lines = [
    "Dry run: nothing was changed.",
    `Would clear ${preview.payloads.count} payloads older than ${request.payloadsOlderThan.text}${span(preview.payloads)}.`,
  ];
  if (preview.rows && request.rowsOlderThan) {
    lines.push(`Would delete ${preview.rows.count} rows older than ${request.rowsOlderThan.text}${span(preview.rows)}.`);
  }
  lines.push("Failed events are kept.");
  return lines.join("\n");
}

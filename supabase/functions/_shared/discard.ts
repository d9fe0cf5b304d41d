/**
 * Discards a failed ledger event that can never succeed (its data breaks a rule on
 * purpose, or the object it names is long gone), so that sync_health stops answering
 * 503 for it: the one implementation behind `npm run clerk -- discard-failed` and the
 * dashboard's Discard button (the clerk-sync-admin function). The work is one call to
 * public.discard_failed_event, which records who and when in the ledger row and in the
 * audit table. Needs a service-role client.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";
import { DatabaseError } from "./errors.ts";
import type { Outcome } from "./events.ts";
import { InvalidMessageIdError, isMessageId } from "./message-id.ts";

/** The failed event as the ledger holds it: what an operator sees before discarding it. */
export interface FailedEventFacts {
  svix_id: string;
  type: string;
  object_id: string | null;
  attempts: number;
  error: string | null;
}

/** What discarding (or, in a dry run, looking at) one message id came to. */
export type Discard =
  /** It was failed, and now is discarded (a dry run: would be). */
  | { result: "discarded"; event: FailedEventFacts; discarded_by: string | null; discarded_at: string | null }
  /** The ledger has it, but it is not failed: nothing done. */
  | { result: "not_failed"; svix_id: string; outcome: Outcome }
  /** The ledger has no such message. */
  | { result: "unknown"; svix_id: string };

export interface DiscardOptions {
  /** Who asked: the admin's Clerk user id, or the operator (`cli:<user>`). Recorded. */
  actor: string;
  /** Why, in the operator's words. Recorded in the audit table. */
  reason?: string;
  /** Look only: say what would be discarded, change nothing. */
  dryRun?: boolean;
}

export async function discardFailedEvent(client: SupabaseClient<Database>, svixId: string, options: DiscardOptions): Promise<Discard> {
  if (!isMessageId(svixId)) throw new InvalidMessageIdError(svixId);
  if (options.dryRun) return await lookAtFailedEvent(client, svixId);
  const { data, error } = await client.rpc("discard_failed_event", {
    message_id: svixId,
    on_behalf_of: options.actor,
    reason: options.reason,
  });
  if (error) throw new DatabaseError(`discarding ${svixId}: ${error.message}`, error.code);
  return data as unknown as Discard;
}

async function lookAtFailedEvent(client: SupabaseClient<Database>, svixId: string): Promise<Discard> {
  const { data, error } = await client.from("clerk_events").select("svix_id, type, object_id, attempts, error, outcome").eq("svix_id", svixId).maybeSingle();
  if (error) throw new DatabaseError(`reading event ${svixId}: ${error.message}`, error.code);
  if (!data) return { result: "unknown", svix_id: svixId };
  const { outcome, ...event } = data;
  if (outcome !== "failed") return { result: "not_failed", svix_id: svixId, outcome };
  return { result: "discarded", event, discarded_by: null, discarded_at: null };
}

import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";
import { DatabaseError } from "./errors.ts";
import type { LedgerEvent, Outcome } from "./events.ts";

/** Applies one event through apply_clerk_event; throws DatabaseError when it did not commit. */
export type EventApplier = (event: LedgerEvent) => Promise<Outcome>;

/**
 * The one database call of the webhook path: supabase-js `rpc` as service_role.
 * The client should be created with a fetch timeout (see index.ts), so a stuck
 * database turns into a DatabaseError instead of an answer slower than Svix waits.
 */
export function createEventApplier(client: SupabaseClient<Database>): EventApplier {
  return async (event) => {
    // deno-lint-ignore no-explicit-any -- LedgerEvent is a JSON object; Json's index signature cannot see that.
    const { data, error } = await client.rpc("apply_clerk_event", { event: event as any });
    if (error) throw new DatabaseError(error.message, error.code);
    if (data === null) throw new DatabaseError("apply_clerk_event returned no outcome");
    return data;
  };
}

import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";
import { DatabaseError } from "./errors.ts";
import type { ApplyOutcome, LedgerEvent } from "./events.ts";

/** Applies one event; throws DatabaseError when it did not commit. */
export type EventApplier = (event: LedgerEvent) => Promise<ApplyOutcome>;

/** Applies a group of events in one transaction; outcomes in input order. */
export type GroupApplier = (events: LedgerEvent[]) => Promise<ApplyOutcome[]>;

/**
 * One event through apply_clerk_event: supabase-js `rpc` as service_role. For callers
 * that apply one object at a time (backfill, replay).
 */
export function createEventApplier(client: SupabaseClient<Database>): EventApplier {
  return async (event) => {
    // deno-lint-ignore no-explicit-any -- LedgerEvent is JSON; Json's index signature cannot see that.
    const { data, error } = await client.rpc("apply_clerk_event", { event: event as any });
    if (error) throw new DatabaseError(error.message, error.code);
    if (data === null) throw new DatabaseError("apply_clerk_event returned no outcome");
    return data as ApplyOutcome;
  };
}

/**
 * A group of events through apply_clerk_events, in one transaction: supabase-js `rpc`
 * as service_role, with aborted groups run again (retryDeadlocks). For the paths that
 * are not the webhook's hot path and apply a few objects at once (the on-demand pull,
 * the reconcile step); the webhook has its own connection (clerk-webhook/database.ts).
 */
export function createGroupApplier(client: SupabaseClient<Database>, retries = 3): GroupApplier {
  return retryDeadlocks(async (events) => {
    // deno-lint-ignore no-explicit-any -- LedgerEvent is JSON; Json's index signature cannot see that.
    const { data, error } = await client.rpc("apply_clerk_events", { events: events as any });
    if (error) throw new DatabaseError(error.message, error.code);
    if (!Array.isArray(data) || data.length !== events.length) {
      throw new DatabaseError("apply_clerk_events returned the wrong number of outcomes");
    }
    return data as ApplyOutcome[];
  }, retries);
}

/**
 * SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it
 * again can succeed: deadlock_detected and serialization_failure.
 */
const retryableCodes = new Set(["40P01", "40001"]);

/**
 * Runs an aborted group again. Two groups in flight at once (two function instances)
 * can deadlock: a membership locks its organization and user, which sort apart from the
 * membership's own id, so no single order covers every lock. PostgreSQL then aborts one
 * group; nothing of it committed, so it is run again here (up to `retries` times)
 * instead of failing every delivery in it. Whatever applies the group (the webhook's
 * own connection, clerk-webhook/database.ts) throws DatabaseError with the SQLSTATE.
 */
export function retryDeadlocks(applyGroup: GroupApplier, retries = 3): GroupApplier {
  return async (events) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await applyGroup(events);
      } catch (error) {
        if (!(error instanceof DatabaseError && error.code && retryableCodes.has(error.code)) || attempt >= retries) throw error;
      }
    }
  };
}

/**
 * Group commit. While one group is being applied, deliveries that arrive queue up;
 * when it commits, the queue (up to `maxGroup`) goes as the next group. A lone
 * delivery is applied at once, so group commit adds no latency when traffic is low,
 * and under a burst it turns N round trips and N commits into one.
 *
 * Every delivery waits for its own group's commit: none is answered before its event
 * is durable, and if a group fails, every delivery in it fails (and Svix retries it).
 *
 * `maxInFlight` groups may be applied at once (default 1). More than one lets a group
 * be processed while another waits for its commit to reach the disk; groups in flight
 * at once are what two function instances already produce, so the clock guard orders
 * them and retryDeadlocks settles their lock conflicts.
 */
export function groupCommit(applyGroup: GroupApplier, maxGroup = 64, maxInFlight = 1): EventApplier {
  let queue: Array<{ event: LedgerEvent; resolve: (outcome: ApplyOutcome) => void; reject: (error: unknown) => void }> = [];
  let inFlight = 0;

  async function drain(): Promise<void> {
    if (inFlight >= maxInFlight || queue.length === 0) return;
    inFlight++;
    const group = queue.slice(0, maxGroup);
    queue = queue.slice(maxGroup);
    try {
      const outcomes = await applyGroup(group.map((item) => item.event));
      group.forEach((item, i) => item.resolve(outcomes[i]));
    } catch (error) {
      group.forEach((item) => item.reject(error));
    } finally {
      inFlight--;
      void drain();
    }
  }

  return (event) =>
    new Promise<ApplyOutcome>((resolve, reject) => {
      queue.push({ event, resolve, reject });
      void drain();
    });
}

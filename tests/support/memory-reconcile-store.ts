/**
 * The reconcile step's database as a map of rows, with apply_clerk_events' clock rule
 * (a change applies only when its clock is newer than the row's) and a lease: for tests
 * of the step's own logic, and of its Backend API requests, without a database.
 */
import type { LocalRow } from "../../supabase/functions/_shared/backend-events.ts";
import type { ReconcileStore, RunState } from "../../supabase/functions/_shared/reconcile-step.ts";

export function memoryStore() {
  const rows = new Map<string, LocalRow & { event_at: string }>();
  const applied: string[] = [];
  let state: RunState = {};
  let holder: string | null = null;
  let keys: string[] | null = null;
  const store: ReconcileStore = {
    async acquire(_run, who) {
      if (holder && holder !== who) return { acquired: false, holder, leaseUntil: "later" };
      holder = who;
      return { acquired: true, state: structuredClone(state), leaseUntil: "later" };
    },
    async save(_run, who, next) {
      if (holder !== who) return false;
      state = structuredClone(next);
      return true;
    },
    async finish(_run, who, next) {
      if (holder !== who) return false;
      state = structuredClone(next);
      holder = null;
      return true;
    },
    localRows: async (_kind, ids) => new Map(ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!]] : []))),
    async sweepRows(_kind, after, limit) {
      // Sorted once per change, not per call: a sweep of 100,000 rows asks a thousand times.
      keys ??= [...rows.keys()].sort((a, b) => (a < b ? -1 : 1));
      let low = 0;
      for (let high = keys.length; low < high;) {
        const middle = (low + high) >> 1;
        if (keys[middle] <= (after[0] ?? "")) low = middle + 1;
        else high = middle;
      }
      const found = [];
      for (let i = low; i < keys.length && found.length < limit; i++) {
        const row = rows.get(keys[i])!;
        if (row.deleted_at === null) found.push(row);
      }
      return found;
    },
    liveCount: async () => [...rows.values()].filter((r) => r.deleted_at === null).length,
    async apply(events) {
      return events.map((event) => {
        const id = event.change!.row.clerk_id;
        const row = rows.get(id);
        if (row && row.event_at >= event.event_at) return "stale";
        applied.push(event.svix_id);
        if (!row) keys = null;
        const tombstone = event.change!.op === "tombstone";
        rows.set(id, { clerk_id: id, clerk_updated_at: tombstone ? null : event.event_at, deleted_at: tombstone ? event.event_at : null, event_at: event.event_at });
        return "applied";
      });
    },
  };
  return { store, rows, applied, state: () => state };
}


/**
 * The reconcile step's database side, through supabase-js as the service role: the
 * lease and state RPCs (reconcile_acquire, reconcile_save, reconcile_finish), the
 * comparison reads, and apply_clerk_events, the webhook's own group apply. Deno and Node.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import { createGroupApplier } from "./apply.ts";
import type { LocalRow } from "./backend-events.ts";
import type { ClerkKind } from "./clerk-api.ts";
import type { Database, Json } from "./database.types.ts";
import { DatabaseError } from "./errors.ts";
import type { LeaseAnswer, ReconcileStore, RunState, StepReport, SweepRow } from "./reconcile-step.ts";

export function supabaseReconcileStore(client: SupabaseClient<Database>): ReconcileStore {
  const rpc = async <T>(name: string, args: Record<string, unknown>): Promise<T> => {
    // deno-lint-ignore no-explicit-any -- the reconcile RPCs take and return JSON documents.
    const { data, error } = await (client.rpc as any)(name, args);
    if (error) throw new DatabaseError(`${name}: ${error.message}`, error.code);
    return data as T;
  };
  return {
    async acquire(run, holder, leaseSeconds, scheduleSeconds) {
      const answer = await rpc<{ acquired: boolean; holder: string; lease_until: string; state?: RunState }>("reconcile_acquire", {
        run,
        holder,
        lease_seconds: leaseSeconds,
        schedule_seconds: scheduleSeconds ?? null,
      });
      return answer.acquired
        ? { acquired: true, state: answer.state ?? {}, leaseUntil: answer.lease_until }
        : { acquired: false, holder: answer.holder, leaseUntil: answer.lease_until } satisfies LeaseAnswer;
    },
    save: async (run, holder, state, leaseSeconds) =>
      (await rpc<boolean | null>("reconcile_save", { run, holder, state: state as Json, lease_seconds: leaseSeconds })) === true,
    finish: async (run, holder, state, report) =>
      (await rpc<boolean | null>("reconcile_finish", { run, holder, state: state as Json, step: report as unknown as Json })) === true,
    async localRows(kind, ids) {
      if (ids.length === 0) return new Map();
      const rows = await rpc<LocalRow[]>("reconcile_local_rows", { kind, ids });
      return new Map(rows.map((row) => [row.clerk_id, row]));
    },
    sweepRows: (kind, after, limit) => rpc<SweepRow[]>("reconcile_sweep_rows", { kind, after_key: after, max_rows: limit }),
    liveCount: async (kind) => Number(await rpc<number>("reconcile_live_count", { kind })),
    apply: createGroupApplier(client),
  };
}

/**
 * A store for a dry run: it reads the database through `base`, keeps the step's
 * state in memory (from empty cursors, so a dry run looks at everything), takes no
 * lease, and refuses to apply anything.
 */
export function dryRunStore(base: ReconcileStore): ReconcileStore & { reports: StepReport[] } {
  let state: RunState = {};
  const reports: StepReport[] = [];
  return {
    reports,
    acquire: async () => ({ acquired: true, state: structuredClone(state), leaseUntil: new Date().toISOString() }),
    async save(_run, _holder, next) {
      state = structuredClone(next);
      return true;
    },
    async finish(_run, _holder, next, report) {
      state = structuredClone(next);
      reports.push(report);
      return true;
    },
    localRows: (kind: ClerkKind, ids: string[]) => base.localRows(kind, ids),
    sweepRows: (kind, after, limit) => base.sweepRows(kind, after, limit),
    liveCount: (kind) => base.liveCount(kind),
    apply: () => Promise.reject(new Error("a dry run applies nothing")),
  };
}

/**
 * Users reconciled per second through the reconcile step (the clerk-reconcile
 * function's code: Backend API pages from the fake API, the comparison with the rows
 * here, apply_clerk_events with the ledger and the clock guard, the cursor saved per
 * page), against the bound: the same rows as plain batched upserts into profiles, one
 * statement per page, no API, ledger or clock.
 */
import pg from "pg";
import { createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { supabaseReconcileStore } from "../../supabase/functions/_shared/reconcile-store.ts";
import { reconcileStep } from "../../supabase/functions/_shared/reconcile-step.ts";
import type { StackStatus } from "../lib/status.ts";
import { createNodeClient } from "../lib/supabase.ts";
import { startFakeClerkApi } from "../simulator/fake-api.ts";
import { userJSON } from "../simulator/payloads.ts";
import type { ClerkState } from "../simulator/state.ts";

export interface ReconcileBench {
  users: number;
  pageSize: number;
  steps: number;
  backendApiRequests: number;
  step: { seconds: number; perSecond: number };
  bound: { seconds: number; perSecond: number };
  /** step users/s ÷ raw upserts/s, same run, same rows. */
  ratio: number;
}

export async function benchReconcile(stack: StackStatus, users: number, log: (line: string) => void): Promise<ReconcileBench> {
  const pageSize = 500;
  const run = Date.now().toString(36);
  const state: ClerkState = { users: {}, organizations: {}, memberships: {} };
  const at = Date.now() - 3_600_000;
  for (let i = 0; i < users; i++) {
    const user = userJSON({ firstName: `Bench${i}`, lastName: "Reconcile", username: `rc_${run}_${i}`, createdAt: at + i });
    state.users[user.id] = user;
  }
  const api = await startFakeClerkApi({ state: () => state });
  try {
    log(`reconcile: ${users} users through the step, ${pageSize} per page…`);
    const reader = createClerkReader({ secretKey: api.secretKey, apiUrl: api.url, pageSize, maxAttempts: 1, maxRateLimitWaits: 0 });
    const store = supabaseReconcileStore(createNodeClient(stack.apiUrl, stack.serviceRoleKey));
    let steps = 0;
    const started = performance.now();
    for (;;) {
      // The backfill run: its own cursors from zero, no sweep, no alarm.
      const result = await reconcileStep({ run: "backfill", holder: `bench:${run}`, reader, store, kinds: ["users"], graceMs: 0, restart: steps === 0, maxRequests: 20, maxMs: 60_000 });
      steps++;
      if (!result.ran) throw new Error(`the backfill lease is held by ${result.holder}`);
      if (result.report.stopped === "caught_up") break;
      if (result.report.stopped !== "budget") throw new Error(`a step stopped: ${result.report.stopped} ${result.report.error ?? ""}`);
    }
    const stepSeconds = (performance.now() - started) / 1000;
    const backendApiRequests = api.requests.length;

    log("reconcile: the same rows as raw batched upserts (the bound)…");
    const rows = Object.values(state.users).map((user) => ({
      ...profileFromUser(user),
      clerk_id: `${user.id}_raw`,
      event_at: new Date(user.updated_at).toISOString(),
      event_id: `bench:${user.id}`,
    }));
    const columns = Object.keys(rows[0]);
    const sql = `insert into public.profiles (${columns.join(", ")})
      select ${columns.join(", ")} from jsonb_populate_recordset(null::public.profiles, $1::jsonb)
      on conflict (clerk_id) do update set ${columns.filter((c) => c !== "clerk_id").map((c) => `${c} = excluded.${c}`).join(", ")}`;
    const client = new pg.Client({ connectionString: stack.dbUrl });
    await client.connect();
    const boundStarted = performance.now();
    try {
      for (let i = 0; i < rows.length; i += pageSize) await client.query(sql, [JSON.stringify(rows.slice(i, i + pageSize))]);
    } finally {
      await client.end();
    }
    const boundSeconds = (performance.now() - boundStarted) / 1000;

    const result: ReconcileBench = {
      users,
      pageSize,
      steps,
      backendApiRequests,
      step: { seconds: round(stepSeconds), perSecond: round(users / stepSeconds) },
      bound: { seconds: round(boundSeconds), perSecond: round(users / boundSeconds) },
      ratio: round(boundSeconds / stepSeconds, 3),
    };
    log(`reconcile: ${result.step.perSecond} users/s through the step (${steps} steps, ${backendApiRequests} Backend API requests); ${result.bound.perSecond}/s raw; ratio ${result.ratio}`);
    return result;
  } finally {
    await api.stop();
  }
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

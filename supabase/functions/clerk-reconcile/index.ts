/**
 * clerk-reconcile: one bounded step of the scheduled reconcile (see
 * _shared/reconcile-step.ts), called every few minutes by pg_cron + pg_net on hosted
 * Supabase and by the local stack's timer. Deploy with
 * `supabase functions deploy clerk-reconcile --no-verify-jwt`: the function checks the
 * service-role key or RECONCILE_SECRET itself.
 */
import { createClient } from "@supabase/supabase-js";
import { createClerkReader } from "../_shared/clerk-api.ts";
import type { Database } from "../_shared/database.types.ts";
import { supabaseReconcileStore } from "../_shared/reconcile-store.ts";
import { loadReconcileConfig } from "./config.ts";
import { createReconcileHandler } from "./handler.ts";

const config = loadReconcileConfig((name) => Deno.env.get(name));

const supabase = createClient<Database>(config.supabaseUrl, config.serviceRoleKey, {
  auth: { persistSession: false, autoRefreshToken: false },
  global: {
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(config.databaseTimeoutMs) }),
  },
});

// A 429 or 5xx ends the step at once (no waiting inside it): the cursor is saved after
// every page, and the schedule calls again.
const reader = config.clerkSecretKey
  ? createClerkReader({ secretKey: config.clerkSecretKey, apiUrl: config.clerkApiUrl, pageSize: config.pageSize, maxAttempts: 1, maxRateLimitWaits: 0 })
  : null;

Deno.serve(createReconcileHandler({ config, store: supabaseReconcileStore(supabase), reader }));

/**
 * clerk-reconcile: one bounded step of the scheduled reconcile (see
 * _shared/reconcile-step.ts), called every few minutes by pg_cron + pg_net on hosted
 * Supabase and by the local stack's timer. Deploy with
 * `supabase functions deploy clerk-reconcile --no-verify-jwt`: the function checks the
 * service-role key or RECONCILE_SECRET itself.
 */
import { createClerkReader } from "../_shared/clerk-api.ts";
import { supabaseReconcileStore } from "../_shared/reconcile-store.ts";
import { createServiceClient } from "../_shared/service-client.ts";
import { loadReconcileConfig } from "./config.ts";
import { createReconcileHandler } from "./handler.ts";

const config = loadReconcileConfig((name) => Deno.env.get(name));

const supabase = createServiceClient(config.supabaseUrl, config.serviceRoleKey, config.databaseTimeoutMs);

// A 429 or 5xx ends the step at once (no waiting inside it): the cursor is saved after
// every page, and the schedule calls again.
const reader = config.clerkSecretKey
  ? createClerkReader({ secretKey: config.clerkSecretKey, apiUrl: config.clerkApiUrl, pageSize: config.pageSize, maxAttempts: 1, maxRateLimitWaits: 0 })
  : null;

Deno.serve(createReconcileHandler({ config, store: supabaseReconcileStore(supabase), reader }));

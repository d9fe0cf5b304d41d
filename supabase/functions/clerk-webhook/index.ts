/**
 * clerk-webhook: applies Clerk's webhooks (sent through Svix) to Postgres exactly once,
 * in event order. Deploy with `supabase functions deploy clerk-webhook --no-verify-jwt`:
 * Clerk signs its requests itself and sends no Supabase JWT.
 */
import { createClient } from "@supabase/supabase-js";
import { createGroupApplier, groupCommit } from "../_shared/apply.ts";
import { loadWebhookConfig } from "../_shared/config.ts";
import type { Database } from "../_shared/database.types.ts";
import { createWebhookHandler } from "../_shared/handler.ts";
import { createDeliveryVerifier } from "../_shared/verify.ts";

const config = loadWebhookConfig((name) => Deno.env.get(name));

const supabase = createClient<Database>(config.supabaseUrl, config.serviceRoleKey, {
  auth: { persistSession: false, autoRefreshToken: false },
  global: {
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(config.databaseTimeoutMs) }),
  },
});

Deno.serve(createWebhookHandler({
  verify: createDeliveryVerifier(config.signingSecrets),
  apply: groupCommit(createGroupApplier(supabase), config.maxGroup),
  maxBodyBytes: config.maxBodyBytes,
  instanceId: config.instanceId,
  keepPayloads: config.ledgerPayloads === "all",
}));

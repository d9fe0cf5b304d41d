/**
 * clerk-webhook: applies Clerk's webhooks (sent through Svix) to Postgres exactly once,
 * in event order. Deploy with `supabase functions deploy clerk-webhook --no-verify-jwt`:
 * Clerk signs its requests itself and sends no Supabase JWT.
 */
import { groupCommit, retryDeadlocks } from "../_shared/apply.ts";
import { loadWebhookConfig } from "./config.ts";
import { connectApplyDatabase } from "./database.ts";
import { createWebhookHandler } from "./handler.ts";
import { createDeliveryVerifier } from "./verify.ts";

const config = loadWebhookConfig((name) => Deno.env.get(name));
const database = connectApplyDatabase({
  url: config.databaseUrl,
  mode: config.databaseMode,
  poolSize: config.databasePoolSize,
  timeoutMs: config.databaseTimeoutMs,
});

Deno.serve(createWebhookHandler({
  verify: createDeliveryVerifier(config.signingSecrets),
  apply: groupCommit(retryDeadlocks(database.applyGroup), config.maxGroup, config.groupsInFlight),
  maxBodyBytes: config.maxBodyBytes,
  instanceId: config.instanceId,
  keepPayloads: config.ledgerPayloads === "all",
}));

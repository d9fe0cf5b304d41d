/**
 * clerk-webhook: applies Clerk's webhooks (sent through Svix) to Postgres exactly once,
 * in event order. Deploy with `supabase functions deploy clerk-webhook --no-verify-jwt`:
 * Clerk signs its requests itself and sends no Supabase JWT.
 */
import { createGroupApplier, groupCommit } from "../_shared/apply.ts";
import { createServiceClient } from "../_shared/service-client.ts";
import { loadWebhookConfig } from "./config.ts";
import { createWebhookHandler } from "./handler.ts";
import { createDeliveryVerifier } from "./verify.ts";

const config = loadWebhookConfig((name) => Deno.env.get(name));
const supabase = createServiceClient(config.supabaseUrl, config.serviceRoleKey, config.databaseTimeoutMs);

Deno.serve(createWebhookHandler({
  verify: createDeliveryVerifier(config.signingSecrets),
  apply: groupCommit(createGroupApplier(supabase), config.maxGroup),
  maxBodyBytes: config.maxBodyBytes,
  instanceId: config.instanceId,
  keepPayloads: config.ledgerPayloads === "all",
}));

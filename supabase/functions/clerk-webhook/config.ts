import { ConfigError, type Env, oneOf, positiveInteger, required } from "../_shared/env.ts";

/** Everything the webhook function reads from its environment, checked once at start. */
export interface WebhookConfig {
  /** Supabase API URL: the gateway in front of PostgREST (`SUPABASE_URL`). */
  supabaseUrl: string;
  /** Key that calls apply_clerk_event as service_role (`SUPABASE_SERVICE_ROLE_KEY`). */
  serviceRoleKey: string;
  /**
   * Svix signing secrets (`CLERK_WEBHOOK_SIGNING_SECRET`), separated by spaces or
   * commas. Several are accepted so a secret can be rotated without downtime.
   */
  signingSecrets: string[];
  /** When set (`CLERK_INSTANCE_ID`), events from any other Clerk instance are rejected. */
  instanceId: string | null;
  /** Bodies larger than this are refused with 413 (`WEBHOOK_MAX_BODY_BYTES`, default 1 MiB). */
  maxBodyBytes: number;
  /**
   * How long the database call may take before the function gives up and answers 500
   * (`WEBHOOK_DB_TIMEOUT_MS`, default 10 s). Svix counts anything slower than 15 s as a
   * failure, so this keeps the answer honest.
   */
  databaseTimeoutMs: number;
  /**
   * Which ledger rows keep the event's payload (`LEDGER_PAYLOADS`): `all` (default, the
   * full audit trail) or `failed` (only what a replay needs: less personal data kept,
   * and about a third less database work per event).
   */
  ledgerPayloads: "all" | "failed";
  /**
   * Most deliveries applied in one transaction by group commit (`WEBHOOK_MAX_GROUP`,
   * default 64). 1 applies every delivery on its own, as without group commit.
   */
  maxGroup: number;
}

export function loadWebhookConfig(env: Env): WebhookConfig {
  return {
    supabaseUrl: required(env, "SUPABASE_URL"),
    serviceRoleKey: required(env, "SUPABASE_SERVICE_ROLE_KEY"),
    signingSecrets: parseSigningSecrets(required(env, "CLERK_WEBHOOK_SIGNING_SECRET")),
    instanceId: env("CLERK_INSTANCE_ID")?.trim() || null,
    maxBodyBytes: positiveInteger(env, "WEBHOOK_MAX_BODY_BYTES", 1024 * 1024),
    databaseTimeoutMs: positiveInteger(env, "WEBHOOK_DB_TIMEOUT_MS", 10_000),
    ledgerPayloads: oneOf(env, "LEDGER_PAYLOADS", ["all", "failed"] as const, "all"),
    maxGroup: positiveInteger(env, "WEBHOOK_MAX_GROUP", 64),
  };
}

/** Splits `whsec_a whsec_b` or `whsec_a,whsec_b` and checks each secret's shape. */
export function parseSigningSecrets(value: string): string[] {
  const secrets = value.split(/[\s,]+/).filter(Boolean);
  if (secrets.length === 0) {
    throw new ConfigError("CLERK_WEBHOOK_SIGNING_SECRET is empty: copy the signing secret (whsec_…) from the Clerk dashboard's webhook endpoint.");
  }
  secrets.forEach((secret, i) => {
    const base64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
    if (!/^[A-Za-z0-9+/]{16,}={0,2}$/.test(base64)) {
      throw new ConfigError(
        `CLERK_WEBHOOK_SIGNING_SECRET entry ${i + 1} is not a signing secret: expected whsec_ followed by base64.`,
      );
    }
  });
  return secrets;
}

import { ConfigError, type Env, oneOf, positiveInteger, required } from "../_shared/env.ts";

/** Everything the webhook function reads from its environment, checked once at start. */
export interface WebhookConfig {
  /**
   * Postgres URL of the clerk_webhook role (`CLERK_WEBHOOK_DB_URL`), which may only
   * execute apply_clerk_events. On hosted Supabase: the transaction pooler, port 6543
   * (docs/operations.md). Never SUPABASE_DB_URL, which is the postgres superuser.
   */
  databaseUrl: string;
  /**
   * How to talk to it (`CLERK_WEBHOOK_DB_MODE`): `pooler` (one simple-protocol query per
   * group: the transaction pooler keeps no prepared statements) or `direct` (a prepared
   * statement: a direct connection or the session pooler). Default: `pooler` when the
   * URL's port is 6543, the transaction pooler's, else `direct`.
   */
  databaseMode: "direct" | "pooler";
  /**
   * Connections to Postgres (`CLERK_WEBHOOK_DB_POOL`, default: groups in flight + 1).
   * Each group in flight needs one; the spare lets the next group start while a
   * timed-out one still holds its connection.
   */
  databasePoolSize: number;
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
  /**
   * Groups applied at once by one function instance (`WEBHOOK_GROUPS_IN_FLIGHT`,
   * default 1). More overlap one group's work with another's commit.
   */
  groupsInFlight: number;
}

export function loadWebhookConfig(env: Env): WebhookConfig {
  const groupsInFlight = positiveInteger(env, "WEBHOOK_GROUPS_IN_FLIGHT", 1);
  const databaseUrl = required(env, "CLERK_WEBHOOK_DB_URL", "the clerk_webhook role's Postgres URL; docs/operations.md shows how to set it");
  return {
    databaseUrl,
    databaseMode: oneOf(env, "CLERK_WEBHOOK_DB_MODE", ["direct", "pooler"] as const, transactionPoolerPort(databaseUrl) ? "pooler" : "direct"),
    databasePoolSize: positiveInteger(env, "CLERK_WEBHOOK_DB_POOL", groupsInFlight + 1),
    signingSecrets: parseSigningSecrets(required(env, "CLERK_WEBHOOK_SIGNING_SECRET")),
    instanceId: env("CLERK_INSTANCE_ID")?.trim() || null,
    maxBodyBytes: positiveInteger(env, "WEBHOOK_MAX_BODY_BYTES", 1024 * 1024),
    databaseTimeoutMs: positiveInteger(env, "WEBHOOK_DB_TIMEOUT_MS", 10_000),
    ledgerPayloads: oneOf(env, "LEDGER_PAYLOADS", ["all", "failed"] as const, "all"),
    maxGroup: positiveInteger(env, "WEBHOOK_MAX_GROUP", 64),
    groupsInFlight,
  };
}

/** Supabase's transaction pooler listens on 6543 (the session pooler and Postgres itself on 5432). */
function transactionPoolerPort(url: string): boolean {
  try {
    return new URL(url).port === "6543";
  } catch {
    throw new ConfigError("CLERK_WEBHOOK_DB_URL is not a URL: expected postgres://clerk_webhook:<password>@<host>:<port>/postgres.");
  }
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

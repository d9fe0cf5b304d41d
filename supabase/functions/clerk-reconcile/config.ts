/**
 * Everything clerk-reconcile reads from its environment, once, at start. A missing
 * CLERK_SECRET_KEY does not stop the function (the local stack starts every function,
 * with or without a Clerk to read): each call then answers 503 saying what to set.
 */
import { ConfigError, type Env, positiveInteger, required } from "../_shared/env.ts";

export interface ReconcileConfig {
  /** Supabase API URL (`SUPABASE_URL`). */
  supabaseUrl: string;
  /** Service-role key: writes synced data, and authorises callers (`SUPABASE_SERVICE_ROLE_KEY`). */
  serviceRoleKey: string;
  /** Clerk Backend API secret key (`CLERK_SECRET_KEY`); null when unset. */
  clerkSecretKey: string | null;
  /** Clerk Backend API URL (`CLERK_API_URL`, default https://api.clerk.com). */
  clerkApiUrl: string;
  /**
   * A second way to call the function (`RECONCILE_SECRET`, header `x-reconcile-secret`),
   * for a scheduler that should not hold the service-role key. Null: the key only.
   */
  sharedSecret: string | null;
  /** Backend API requests per step (`RECONCILE_MAX_REQUESTS`, default 20). */
  maxRequests: number;
  /**
   * Start no new request after this many seconds (`RECONCILE_MAX_SECONDS`, default 60):
   * an Edge Function has 150 s of wall time on the free plan.
   */
  maxSeconds: number;
  /** Objects per list request, 1 to 500 (`RECONCILE_PAGE_SIZE`, default 500: fewest requests). */
  pageSize: number;
  /**
   * Changes younger than this are left to the webhooks (`RECONCILE_GRACE_SECONDS`,
   * default 600): what the step repairs is what no webhook delivered in that time.
   */
  graceSeconds: number;
  /** How often the deletion sweep starts (`RECONCILE_SWEEP_EVERY_SECONDS`, default 21600: 6 h). */
  sweepEverySeconds: number;
  /** The sweep's guard per kind (`RECONCILE_MAX_DELETES`; default max(10, 10 % of the live rows)). */
  maxDeletes: number | undefined;
  /** Give up on the database after this long (`RECONCILE_DB_TIMEOUT_MS`, default 10000). */
  databaseTimeoutMs: number;
}

export function loadReconcileConfig(env: Env): ReconcileConfig {
  const pageSize = positiveInteger(env, "RECONCILE_PAGE_SIZE", 500);
  if (pageSize > 500) throw new ConfigError(`RECONCILE_PAGE_SIZE must be 1 to 500 (Clerk's maximum), got ${pageSize}.`);
  const maxSeconds = positiveInteger(env, "RECONCILE_MAX_SECONDS", 60);
  if (maxSeconds > 140) throw new ConfigError(`RECONCILE_MAX_SECONDS must be at most 140 (an Edge Function has 150 s), got ${maxSeconds}.`);
  const secret = env("RECONCILE_SECRET")?.trim() || null;
  if (secret !== null && secret.length < 32) throw new ConfigError("RECONCILE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`).");
  return {
    supabaseUrl: required(env, "SUPABASE_URL"),
    serviceRoleKey: required(env, "SUPABASE_SERVICE_ROLE_KEY"),
    clerkSecretKey: env("CLERK_SECRET_KEY")?.trim() || null,
    clerkApiUrl: env("CLERK_API_URL")?.trim() || "https://api.clerk.com",
    sharedSecret: secret,
    maxRequests: positiveInteger(env, "RECONCILE_MAX_REQUESTS", 20),
    maxSeconds,
    pageSize,
    graceSeconds: nonNegativeInteger(env, "RECONCILE_GRACE_SECONDS", 600),
    sweepEverySeconds: positiveInteger(env, "RECONCILE_SWEEP_EVERY_SECONDS", 21_600),
    maxDeletes: env("RECONCILE_MAX_DELETES")?.trim() ? nonNegativeInteger(env, "RECONCILE_MAX_DELETES", 0) : undefined,
    databaseTimeoutMs: positiveInteger(env, "RECONCILE_DB_TIMEOUT_MS", 10_000),
  };
}

function nonNegativeInteger(env: Env, name: string, fallback: number): number {
  const raw = env(name)?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number, got "${raw}".`);
  return value;
}

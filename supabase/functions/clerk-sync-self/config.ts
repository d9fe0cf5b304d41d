import { type Env, positiveInteger, required } from "../_shared/env.ts";
import { type OriginPolicy, parseOriginPolicy } from "../_shared/cors.ts";

/** Everything the clerk-sync-self function reads from its environment, checked once at start. */
export interface SelfSyncConfig {
  /** Supabase API URL: the gateway in front of PostgREST (`SUPABASE_URL`). */
  supabaseUrl: string;
  /** The anon key (`SUPABASE_ANON_KEY`): the apikey of the caller's own PostgREST call. */
  anonKey: string;
  /** The key the pull is applied and rate limited with (`SUPABASE_SERVICE_ROLE_KEY`). */
  serviceRoleKey: string;
  /** Clerk Backend API secret key (`CLERK_SECRET_KEY`, sk_live_… or sk_test_…). */
  clerkSecretKey: string;
  /** Clerk Backend API URL (`CLERK_API_URL`, default https://api.clerk.com; the fake API locally). */
  clerkApiUrl: string;
  /**
   * `SELF_SYNC_ALLOWED_ORIGINS`: the dashboard's origins, comma-separated, `*`, or
   * `loopback` (the local stack's setting). Unset: no browser origin, so the dashboard's
   * pull is refused (and said so in the log) until it is told the dashboard's address.
   */
  allowedOrigins: OriginPolicy;
  /**
   * At most one pull per user per this many seconds (`SELF_SYNC_INTERVAL_SECONDS`,
   * default 30), across every instance: each pull costs two Backend API requests, and
   * the instance's rate limit is shared with backfill, reconcile and the app.
   */
  intervalSeconds: number;
  /** How long a database or PostgREST call may take (`SELF_SYNC_DB_TIMEOUT_MS`, default 10 s). */
  databaseTimeoutMs: number;
  /** How long Clerk may take to answer before the pull gives up with 503 (`SELF_SYNC_CLERK_TIMEOUT_MS`, default 10 s). */
  clerkTimeoutMs: number;
}

export function loadSelfSyncConfig(env: Env): SelfSyncConfig {
  return {
    supabaseUrl: required(env, "SUPABASE_URL"),
    anonKey: required(env, "SUPABASE_ANON_KEY"),
    serviceRoleKey: required(env, "SUPABASE_SERVICE_ROLE_KEY"),
    clerkSecretKey: required(env, "CLERK_SECRET_KEY"),
    clerkApiUrl: env("CLERK_API_URL")?.trim() || "https://api.clerk.com",
    allowedOrigins: parseOriginPolicy("SELF_SYNC_ALLOWED_ORIGINS", env("SELF_SYNC_ALLOWED_ORIGINS")),
    intervalSeconds: positiveInteger(env, "SELF_SYNC_INTERVAL_SECONDS", 30),
    databaseTimeoutMs: positiveInteger(env, "SELF_SYNC_DB_TIMEOUT_MS", 10_000),
    clerkTimeoutMs: positiveInteger(env, "SELF_SYNC_CLERK_TIMEOUT_MS", 10_000),
  };
}

/** What the function says once at start about a setting an operator must act on, if anything. */
export function selfSyncNotice(config: SelfSyncConfig): string | null {
  return config.allowedOrigins.kind === "none"
    ? "SELF_SYNC_ALLOWED_ORIGINS is not set: no browser origin may call clerk-sync-self, so the dashboard cannot pull a missing profile. Set it to the dashboard's origin (https://…)."
    : null;
}

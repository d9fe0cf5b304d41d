import { isAllowedOrigin, type OriginPolicy, parseOriginPolicy } from "../_shared/cors.ts";
import { type Env, positiveInteger, required } from "../_shared/env.ts";

export { isAllowedOrigin, type OriginPolicy };

/** Everything the clerk-sync-admin function reads from its environment, checked once at start. */
export interface SyncAdminConfig {
  /** Supabase API URL: the gateway in front of PostgREST (`SUPABASE_URL`). */
  supabaseUrl: string;
  /** The anon key (`SUPABASE_ANON_KEY`): the apikey of the caller's own PostgREST call. */
  anonKey: string;
  /** The key the replay runs with (`SUPABASE_SERVICE_ROLE_KEY`), after the caller passed the admin check. */
  serviceRoleKey: string;
  /**
   * `SYNC_ADMIN_ALLOWED_ORIGINS`: the dashboard's origins, comma-separated, `*`, or
   * `loopback` (the local stack's setting). Unset: no browser origin at all, so a deployed
   * function refuses browsers until it is told the dashboard's address (a loud CORS
   * error and a line in its log, never a silent opening). Callers without a browser
   * send no Origin and are not affected.
   */
  allowedOrigins: OriginPolicy;
  /** How long a database or PostgREST call may take (`SYNC_ADMIN_DB_TIMEOUT_MS`, default 10 s). */
  databaseTimeoutMs: number;
}

export function loadSyncAdminConfig(env: Env): SyncAdminConfig {
  return {
    supabaseUrl: required(env, "SUPABASE_URL"),
    anonKey: required(env, "SUPABASE_ANON_KEY"),
    serviceRoleKey: required(env, "SUPABASE_SERVICE_ROLE_KEY"),
    allowedOrigins: parseAllowedOrigins(env("SYNC_ADMIN_ALLOWED_ORIGINS")),
    databaseTimeoutMs: positiveInteger(env, "SYNC_ADMIN_DB_TIMEOUT_MS", 10_000),
  };
}

/** `SYNC_ADMIN_ALLOWED_ORIGINS`, read by the rules every dashboard-facing function shares. */
export function parseAllowedOrigins(value: string | undefined): OriginPolicy {
  return parseOriginPolicy("SYNC_ADMIN_ALLOWED_ORIGINS", value);
}

/** What the function says once at start about a policy an operator must act on, if anything. */
export function originPolicyNotice(policy: OriginPolicy): string | null {
  return policy.kind === "none"
    ? "SYNC_ADMIN_ALLOWED_ORIGINS is not set: no browser origin may call clerk-sync-admin, so the dashboard's Replay and Discard buttons are refused. Set it to the dashboard's origin (https://…)."
    : null;
}

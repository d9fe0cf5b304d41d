import { ConfigError, type Env, positiveInteger, required } from "../_shared/env.ts";

/** Which browser origins may call the admin function. */
export type OriginPolicy =
  /** Any origin (`*`). */
  | { kind: "any" }
  /** http://localhost, 127.0.0.1 or [::1] on any port: the default, for local development. */
  | { kind: "loopback" }
  /** Exactly these origins, e.g. https://admin.example.com. */
  | { kind: "list"; origins: string[] };

/** Everything the clerk-sync-admin function reads from its environment, checked once at start. */
export interface SyncAdminConfig {
  /** Supabase API URL: the gateway in front of PostgREST (`SUPABASE_URL`). */
  supabaseUrl: string;
  /** The anon key (`SUPABASE_ANON_KEY`): the apikey of the caller's own PostgREST call. */
  anonKey: string;
  /** The key the replay runs with (`SUPABASE_SERVICE_ROLE_KEY`), after the caller passed the admin check. */
  serviceRoleKey: string;
  /**
   * `SYNC_ADMIN_ALLOWED_ORIGINS`: the dashboard's origins, comma-separated, or `*`.
   * Unset: loopback origins only, so a deployed function refuses browsers until it is
   * told the dashboard's address (a loud CORS error, never a silent opening).
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

/** `*`, or `https://a.example, https://b.example` (each a bare origin: no path), or unset. */
export function parseAllowedOrigins(value: string | undefined): OriginPolicy {
  const raw = value?.trim();
  if (!raw) return { kind: "loopback" };
  if (raw === "*") return { kind: "any" };
  const origins = raw.split(/[\s,]+/).filter(Boolean).map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(`SYNC_ADMIN_ALLOWED_ORIGINS: "${entry}" is not an origin like https://admin.example.com.`);
    }
    if (url.origin === "null" || entry.replace(/\/$/, "") !== url.origin) {
      throw new ConfigError(`SYNC_ADMIN_ALLOWED_ORIGINS: "${entry}" is not an origin like https://admin.example.com (no path).`);
    }
    return url.origin;
  });
  return { kind: "list", origins };
}

/** Whether a browser page at `origin` may call the function. */
export function isAllowedOrigin(policy: OriginPolicy, origin: string): boolean {
  switch (policy.kind) {
    case "any":
      return true;
    case "list":
      return policy.origins.includes(origin);
    case "loopback":
      return /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);
  }
}

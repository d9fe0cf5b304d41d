import { AdminRequestError } from "./errors.ts";

export interface AdminCheckOptions {
  /** Supabase API URL (the gateway in front of PostgREST). */
  supabaseUrl: string;
  /** The anon key: PostgREST's gateway wants an apikey; the caller's token sets the role. */
  anonKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Asks the database whether a session token belongs to a sync admin, by calling
 * public.authorize_sync_admin through PostgREST with that very token. The function never
 * verifies tokens itself: PostgREST checks signature and expiry, hosted Supabase's
 * third-party auth (the local gateway here) checks the issuer, and the database applies
 * the admin rule, the same one sync_health_report uses. Returns the caller's user id.
 */
export function createAdminCheck(options: AdminCheckOptions): (token: string) => Promise<string> {
  const fetchImpl = options.fetch ?? fetch;
  return async (token) => {
    let response: Response;
    try {
      response = await fetchImpl(`${options.supabaseUrl}/rest/v1/rpc/authorize_sync_admin`, {
        method: "POST",
        headers: { apikey: options.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new AdminRequestError(502, `the admin check could not reach PostgREST (${error instanceof Error ? error.name : "error"})`);
    }
    const body = await response.json().catch(() => null) as { message?: string } | string | null;
    if (response.ok && typeof body === "string") return body;
    const reason = typeof body === "object" && body?.message ? body.message : `HTTP ${response.status}`;
    // PostgREST answers 401 for a token it does not accept (and for anon, which may not
    // call the function), 403 for a signed-in user the function refuses (42501).
    if (response.status === 401) throw new AdminRequestError(401, `session token not accepted: ${reason}`);
    if (response.status === 403) throw new AdminRequestError(403, "admins only: your session token does not carry metadata.role = admin");
    throw new AdminRequestError(502, `the admin check failed: ${reason}`);
  };
}

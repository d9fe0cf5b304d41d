import { SelfSyncRefusal, SessionCheckError } from "./errors.ts";

export interface SessionCheckOptions {
  /** Supabase API URL (the gateway in front of PostgREST). */
  supabaseUrl: string;
  /** The anon key: PostgREST's gateway wants an apikey; the caller's token sets the role. */
  anonKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * The Clerk user id of a session token, as the database reads it: public.session_clerk_id()
 * called through PostgREST with that very token. The function never verifies tokens
 * itself: PostgREST checks signature and expiry, hosted Supabase's third-party auth (the
 * local gateway here) checks the issuer. An anon key, a service-role key or a token
 * without `sub` names no user, and is refused like a bad token.
 */
export function createSessionCheck(options: SessionCheckOptions): (token: string) => Promise<string> {
  const fetchImpl = options.fetch ?? fetch;
  return async (token) => {
    let response: Response;
    try {
      response = await fetchImpl(`${options.supabaseUrl}/rest/v1/rpc/session_clerk_id`, {
        method: "POST",
        headers: { apikey: options.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new SessionCheckError(`the session check could not reach PostgREST (${error instanceof Error ? error.name : "error"})`);
    }
    const body = await response.json().catch(() => null) as { message?: string } | string | null;
    if (response.ok && typeof body === "string" && body.length > 0) return body;
    const reason = typeof body === "object" && body?.message ? body.message : `HTTP ${response.status}`;
    // 401: a token PostgREST does not accept; 403 (42501): a role that may not call the
    // function (anon, service_role); 200 with null: a signed-in role without a user id.
    if (response.status === 401 || response.status === 403 || response.ok) {
      throw new SelfSyncRefusal(401, `session token not accepted: ${response.ok ? "it names no user (no sub)" : reason}`);
    }
    throw new SessionCheckError(`the session check failed: ${reason}`);
  };
}

/**
 * Calling a database function through PostgREST with the caller's own session token,
 * which is how the dashboard-facing functions (deployed with verify_jwt = false, so a
 * browser's CORS preflight gets through) have the caller's token checked: PostgREST
 * verifies signature and expiry, hosted Supabase's third-party auth (the local gateway
 * here) the issuer, and the function's grants and body apply the database's rule. The
 * Edge Function never verifies a token itself.
 */

export interface CallerRpcOptions {
  /** Supabase API URL (the gateway in front of PostgREST). */
  supabaseUrl: string;
  /** The anon key: PostgREST's gateway wants an apikey; the caller's token sets the role. */
  anonKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** What PostgREST answered: its status, its JSON body, and a reason to log when it refused. */
export interface CallerRpcAnswer {
  status: number;
  body: unknown;
  reason: string;
}

/** PostgREST could not be reached or did not answer in time. */
export class CallerRpcUnreachable extends Error {
  override name = "CallerRpcUnreachable";
}

/** POST /rest/v1/rpc/<name> {} as the caller. */
export async function rpcAsCaller(options: CallerRpcOptions, name: string, token: string): Promise<CallerRpcAnswer> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${options.supabaseUrl}/rest/v1/rpc/${name}`, {
      method: "POST",
      headers: { apikey: options.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new CallerRpcUnreachable(`${name} could not reach PostgREST (${error instanceof Error ? error.name : "error"})`);
  }
  const body = await response.json().catch(() => null) as unknown;
  const message = typeof body === "object" && body !== null ? (body as { message?: unknown }).message : null;
  return { status: response.status, body, reason: typeof message === "string" && message ? message : `HTTP ${response.status}` };
}

import { ClerkApiError } from "../_shared/clerk-api.ts";
import { allowOriginHeaders, originAllowed, type OriginPolicy, preflightResponse } from "../_shared/cors.ts";
import { DatabaseError, InvalidEventError } from "../_shared/errors.ts";
import type { Outcome } from "../_shared/events.ts";
import { ClerkTimeoutError, SelfSyncRefusal, SessionCheckError } from "./errors.ts";
import type { PullResult } from "./pull.ts";

export interface SelfSyncHandlerOptions {
  /** The Clerk user id of a session token, checked by the database; throws SelfSyncRefusal 401. */
  identify: (token: string) => Promise<string>;
  /** Claims this user's pull: 0 when they may pull now, else the seconds until they may. */
  claim: (userId: string) => Promise<number>;
  /** Pulls the user from Clerk and applies them. */
  pull: (userId: string) => Promise<PullResult>;
  /** Browser origins allowed to call. */
  allowedOrigins: OriginPolicy;
  /** The pull interval, in seconds: the wait after Clerk failed (the claim holds that long). */
  intervalSeconds: number;
  /** Receives one structured line per request. Never tokens or Clerk's data. */
  log?: (line: SelfSyncLog) => void;
}

export interface SelfSyncLog {
  msg: "clerk-sync-self";
  status: number;
  ms: number;
  user?: string;
  result?: PullResult["result"];
  outcome?: Outcome;
  memberships?: number;
  retry_after?: number;
  error?: string;
}

/**
 * The on-demand sync's HTTP layer. The order of checks, and every status code:
 *
 *   a browser origin not allowed                 403 (before anything else is read)
 *   OPTIONS (CORS preflight)                     204
 *   another method                               405
 *   no bearer token, or one PostgREST refuses    401 (expired, foreign issuer, anon or
 *                                                    service key, no sub)
 *   pulled less than the interval ago            429 + Retry-After
 *   Clerk answers 429 or 5xx, times out, or
 *   cannot be reached                            503 + Retry-After
 *   Clerk refuses the function's own request     502 (CLERK_SECRET_KEY is wrong)
 *   Clerk's answer cannot be mapped              502
 *   synced                                       200 { result: "synced", user_id, outcome, memberships }
 *   Clerk answered 404 for the user              200 { result: "deleted", user_id, outcome }
 *   the database did not answer                  500
 *
 * The body is never read: the user synced is always the token's own `sub`.
 */
export function createSelfSyncHandler(options: SelfSyncHandlerOptions): (request: Request) => Promise<Response> {
  const log = options.log ?? ((line) => console.log(JSON.stringify(line)));

  return async (request) => {
    const started = performance.now();
    const entry: Partial<SelfSyncLog> = {};
    const origin = request.headers.get("origin");
    const cors = origin && originAllowed(options.allowedOrigins, origin)
      ? { ...allowOriginHeaders(options.allowedOrigins, origin), "access-control-expose-headers": "retry-after" }
      : null;
    let response: Response;
    try {
      // A page on another origin is refused outright; callers without a browser send no Origin.
      if (origin && !cors) {
        throw new SelfSyncRefusal(403, `origin ${origin} is not allowed: add it to SELF_SYNC_ALLOWED_ORIGINS`);
      }
      response = request.method === "OPTIONS" ? preflightResponse("POST, OPTIONS") : await handle(request, entry);
    } catch (error) {
      response = errorResponse(error, entry, options.intervalSeconds);
    }
    if (cors) for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    log({ msg: "clerk-sync-self", ...entry, status: response.status, ms: Math.round(performance.now() - started) });
    return response;
  };

  async function handle(request: Request, entry: Partial<SelfSyncLog>): Promise<Response> {
    if (request.method !== "POST") return json(405, { error: "use POST" }, { allow: "POST, OPTIONS" });
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new SelfSyncRefusal(401, "sign in: send your session token as Authorization: Bearer …");
    const userId = await options.identify(token);
    entry.user = userId;

    const wait = await options.claim(userId);
    if (wait > 0) throw new SelfSyncRefusal(429, `you synced less than ${options.intervalSeconds} s ago: try again in ${wait} s`, wait);

    const pulled = await options.pull(userId);
    entry.result = pulled.result;
    entry.outcome = pulled.outcome;
    if (pulled.result === "synced") entry.memberships = pulled.memberships;
    return json(200, { ...pulled, user_id: userId });
  }
}

function errorResponse(error: unknown, entry: Partial<SelfSyncLog>, intervalSeconds: number): Response {
  if (error instanceof SelfSyncRefusal) {
    entry.error = error.message;
    if (error.retryAfterSeconds === undefined) return json(error.status, { error: error.message });
    entry.retry_after = error.retryAfterSeconds;
    return retryLater(error.status, error.message, error.retryAfterSeconds);
  }
  // Clerk limits or fails: the caller waits, at least as long as their claim holds.
  if (error instanceof ClerkTimeoutError || (error instanceof ClerkApiError && (error.status === undefined || error.status === 429 || error.status >= 500))) {
    entry.error = error.message;
    const wait = Math.max(intervalSeconds, Math.ceil(error instanceof ClerkApiError ? error.retryAfterSeconds ?? 0 : 0));
    entry.retry_after = wait;
    return retryLater(503, `Clerk is not answering right now (${error instanceof ClerkApiError && error.status ? error.status : "no answer"}): try again in ${wait} s`, wait);
  }
  if (error instanceof ClerkApiError) {
    entry.error = error.message;
    return json(502, { error: `Clerk refused the sync's request (${error.status}): the function's CLERK_SECRET_KEY may be wrong` });
  }
  if (error instanceof InvalidEventError) {
    entry.error = `invalid: ${error.message}`;
    return json(502, { error: `Clerk's answer could not be read: ${error.message}` });
  }
  if (error instanceof DatabaseError || error instanceof SessionCheckError) {
    entry.error = `database: ${error instanceof DatabaseError && error.code ? `${error.code} ` : ""}${error.message}`;
    return json(500, { error: "the database did not answer; try again" });
  }
  entry.error = `internal: ${error instanceof Error ? error.name : "unknown"}`;
  return json(500, { error: "internal error" });
}

function retryLater(status: number, message: string, seconds: number): Response {
  return json(status, { error: message, retry_after_seconds: seconds }, { "retry-after": String(seconds) });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

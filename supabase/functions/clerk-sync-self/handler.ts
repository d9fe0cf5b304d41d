import { ClerkApiError } from "../_shared/clerk-api.ts";
import { allowOriginHeaders, isAllowedOrigin, type OriginPolicy, preflightResponse } from "../_shared/cors.ts";
import { InvalidEventError } from "../_shared/errors.ts";
import type { Outcome } from "../_shared/events.ts";
import { createResponder, HttpError, json, type LineEntry, type RequestLine } from "../_shared/http.ts";
import { ClerkTimeoutError, SelfSyncRefusal } from "./errors.ts";
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
  /** The pull interval, in seconds: also the wait after Clerk failed (the claim holds that long). */
  intervalSeconds: number;
  /** Receives one structured line per request. Never tokens or Clerk's data. */
  log?: (line: SelfSyncLog) => void;
}

export interface SelfSyncLog extends RequestLine {
  msg: "clerk-sync-self";
  user?: string;
  result?: PullResult["result"];
  outcome?: Outcome;
  memberships?: number;
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
  const respond = createResponder<SelfSyncLog>({
    msg: "clerk-sync-self",
    log: options.log,
    failures: { database: "the database did not answer; try again", internal: "internal error" },
    asHttpError: (error) => clerkFailure(error, options.intervalSeconds),
  });

  return async (request) => {
    const origin = request.headers.get("origin");
    const cors = origin && isAllowedOrigin(options.allowedOrigins, origin)
      ? { ...allowOriginHeaders(options.allowedOrigins, origin), "access-control-expose-headers": "retry-after" }
      : null;
    const response = await respond((entry) => handle(request, entry, origin, cors));
    if (cors) for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };

  async function handle(request: Request, entry: LineEntry<SelfSyncLog>, origin: string | null, cors: object | null): Promise<Response> {
    // A page on another origin is refused outright; callers without a browser send no Origin.
    if (origin && !cors) throw new SelfSyncRefusal(403, `origin ${origin} is not allowed: add it to SELF_SYNC_ALLOWED_ORIGINS`);
    if (request.method === "OPTIONS") return preflightResponse("POST, OPTIONS");
    if (request.method !== "POST") return json(405, { error: "use POST" }, { allow: "POST, OPTIONS" });
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new SelfSyncRefusal(401, "sign in: send your session token as Authorization: Bearer …");
    const userId = await options.identify(token);
    entry.user = userId;

    const wait = await options.claim(userId);
    if (wait > 0) {
      throw new SelfSyncRefusal(429, `you synced less than ${options.intervalSeconds} s ago: try again in ${wait} s`, { "retry-after": String(wait) });
    }

    const pulled = await options.pull(userId);
    entry.result = pulled.result;
    entry.outcome = pulled.outcome;
    if (pulled.result === "synced") entry.memberships = pulled.memberships;
    return json(200, { ...pulled, user_id: userId });
  }
}

/**
 * Clerk's side, as the caller reads it. Clerk limiting or failing is worth waiting for,
 * at least as long as the caller's claim holds anyway; Clerk refusing our own key or
 * sending what the mappers refuse is not (502).
 */
function clerkFailure(error: unknown, intervalSeconds: number): HttpError | null {
  const status = error instanceof ClerkApiError ? error.status : undefined;
  if (error instanceof ClerkTimeoutError || (error instanceof ClerkApiError && (status === undefined || status === 429 || status >= 500))) {
    const wait = Math.max(intervalSeconds, Math.ceil(error instanceof ClerkApiError ? error.retryAfterSeconds ?? 0 : 0));
    const answer = `Clerk is not answering right now (${status ?? "no answer"}): try again in ${wait} s`;
    return new HttpError(503, error.message, { "retry-after": String(wait) }, answer);
  }
  if (error instanceof ClerkApiError) {
    return new HttpError(502, error.message, {}, `Clerk refused the sync's request (${status}): the function's CLERK_SECRET_KEY may be wrong`);
  }
  if (error instanceof InvalidEventError) {
    return new HttpError(502, `invalid: ${error.message}`, {}, `Clerk's answer could not be read: ${error.message}`);
  }
  return null;
}

import type { Discard } from "../_shared/discard.ts";
import type { Outcome } from "../_shared/events.ts";
import { createResponder, json, type LineEntry, type RequestLine } from "../_shared/http.ts";
import { isMessageId, messageIdProblem } from "../_shared/message-id.ts";
import type { SingleReplay } from "../_shared/replay.ts";
import { allowOriginHeaders, isAllowedOrigin, type OriginPolicy, preflightResponse } from "../_shared/cors.ts";
import { AdminRequestError } from "./errors.ts";

const maxBodyBytes = 4096;
const maxReasonLength = 500;

export interface SyncAdminHandlerOptions {
  /**
   * Checks that the session token belongs to a sync admin and returns their user id;
   * throws AdminRequestError 401 (no valid token) or 403 (not an admin).
   */
  authorize: (token: string) => Promise<string>;
  /** Replays one failed ledger event as the service role. */
  replay: (svixId: string) => Promise<SingleReplay>;
  /** Discards one failed ledger event as the service role, recording `admin` as who did it. */
  discard: (svixId: string, admin: string, reason: string | undefined) => Promise<Discard>;
  /** Browser origins allowed to call. */
  allowedOrigins: OriginPolicy;
  /** Receives one structured line per request. Never tokens or payloads. */
  log?: (line: AdminRequestLog) => void;
}

export interface AdminRequestLog extends RequestLine {
  msg: "clerk-sync-admin";
  route?: string;
  admin?: string;
  svix_id?: string;
  outcome?: Outcome | "discarded";
}

/**
 * The admin function's HTTP layer. Routes, the order of checks, and every status code:
 *
 *   OPTIONS (CORS preflight)                       204, or 403 for an origin not allowed
 *   a browser origin not allowed                   403 (before anything else is read)
 *   POST /replay { "svix_id": "msg_…" }
 *     no bearer token                              401
 *     token refused by PostgREST                   401
 *     signed in, but not an admin                  403
 *     body not { svix_id: "<message id>" }         400 (ids match [A-Za-z0-9_:.-]{1,256})
 *     no such message in the ledger                404
 *     in the ledger, but not failed                409 { outcome } (nothing done)
 *     its stored payload still cannot be read      422 (it stays failed)
 *     replayed                                     200 { svix_id, outcome }: applied, stale,
 *                                                      ignored, or failed (again, with the
 *                                                      database's error)
 *     the database did not answer                  500
 *   POST /discard { "svix_id": "msg_…", "reason"?: "…" }
 *     the same checks as /replay, then
 *     reason not a string of at most 500 chars    400
 *     no such message in the ledger                404
 *     in the ledger, but not failed                409 { outcome } (nothing done)
 *     discarded                                    200 { svix_id, outcome: "discarded",
 *                                                      discarded_by, discarded_at }
 *   another path                                   404; another method 405
 *
 * The caller is authorized before the body is read, so a stranger learns nothing about
 * which message ids exist.
 */
export function createSyncAdminHandler(options: SyncAdminHandlerOptions): (request: Request) => Promise<Response> {
  const respond = createResponder<AdminRequestLog>({
    msg: "clerk-sync-admin",
    log: options.log,
    failures: { database: "the database did not answer; try again", internal: "internal error" },
  });

  return async (request) => {
    const origin = request.headers.get("origin");
    const cors = origin && isAllowedOrigin(options.allowedOrigins, origin) ? allowOriginHeaders(options.allowedOrigins, origin) : null;
    const response = await respond((entry) => handle(request, entry, origin, cors));
    if (cors) for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };

  async function handle(request: Request, entry: LineEntry<AdminRequestLog>, origin: string | null, cors: Record<string, string> | null): Promise<Response> {
    // A page on another origin is refused outright; callers without a browser send no Origin.
    if (origin && !cors) throw new AdminRequestError(403, `origin ${origin} is not allowed: add it to SYNC_ADMIN_ALLOWED_ORIGINS`);
    if (request.method === "OPTIONS") return preflightResponse("POST, OPTIONS");

    const route = routeOf(request.url);
    entry.route = route;
    if (route !== "replay" && route !== "discard") {
      throw new AdminRequestError(404, "nothing here: POST /replay or /discard { \"svix_id\": \"msg_…\" }");
    }
    if (request.method !== "POST") return json(405, { error: "use POST" }, { allow: "POST, OPTIONS" });

    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new AdminRequestError(401, "sign in: send your session token as Authorization: Bearer …");
    const admin = await options.authorize(token);
    entry.admin = admin;

    const body = await readBody(request);
    entry.svix_id = body.svixId;
    return route === "replay" ? await replay(body.svixId, entry) : await discard(body.svixId, admin, body.reason, entry);
  }

  async function replay(svixId: string, entry: LineEntry<AdminRequestLog>): Promise<Response> {
    const replayed = await options.replay(svixId);
    switch (replayed.result) {
      case "replayed":
        entry.outcome = replayed.outcome;
        return json(200, { svix_id: svixId, outcome: replayed.outcome, ...(replayed.error ? { error: replayed.error } : {}) });
      case "unreadable":
        entry.error = replayed.error;
        return json(422, { svix_id: svixId, error: `its stored payload cannot be read: ${replayed.error}` });
      case "not_failed":
        entry.outcome = replayed.outcome;
        return json(409, { svix_id: svixId, outcome: replayed.outcome, error: `${svixId} is ${replayed.outcome}, not failed: nothing to replay` });
      case "unknown":
        throw new AdminRequestError(404, `no event ${svixId} in the ledger`);
    }
  }

  async function discard(svixId: string, admin: string, reason: string | undefined, entry: LineEntry<AdminRequestLog>): Promise<Response> {
    const discarded = await options.discard(svixId, admin, reason);
    switch (discarded.result) {
      case "discarded":
        entry.outcome = "discarded";
        return json(200, { svix_id: svixId, outcome: "discarded", discarded_by: discarded.discarded_by, discarded_at: discarded.discarded_at });
      case "not_failed":
        entry.outcome = discarded.outcome;
        return json(409, { svix_id: svixId, outcome: discarded.outcome, error: `${svixId} is ${discarded.outcome}, not failed: nothing to discard` });
      case "unknown":
        throw new AdminRequestError(404, `no event ${svixId} in the ledger`);
    }
  }
}

/** The last path segment: `/replay` locally, `/clerk-sync-admin/replay` on hosted Supabase. */
function routeOf(url: string): string {
  return new URL(url).pathname.replace(/\/+$/, "").split("/").at(-1) ?? "";
}

/** `{ "svix_id": "msg_…", "reason"?: "…" }`, checked. */
async function readBody(request: Request): Promise<{ svixId: string; reason?: string }> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) {
    throw new AdminRequestError(413, `body is larger than ${maxBodyBytes} bytes`);
  }
  const text = await request.text();
  if (text.length > maxBodyBytes) throw new AdminRequestError(413, `body is larger than ${maxBodyBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AdminRequestError(400, "body must be JSON: { \"svix_id\": \"msg_…\" }");
  }
  const fields = typeof body === "object" && body !== null ? (body as { svix_id?: unknown; reason?: unknown }) : {};
  if (!isMessageId(fields.svix_id)) throw new AdminRequestError(400, `svix_id: ${messageIdProblem(fields.svix_id)}`);
  if (fields.reason !== undefined && (typeof fields.reason !== "string" || fields.reason.length > maxReasonLength)) {
    throw new AdminRequestError(400, `reason must be text of at most ${maxReasonLength} characters`);
  }
  return { svixId: fields.svix_id, reason: fields.reason?.trim() || undefined };
}

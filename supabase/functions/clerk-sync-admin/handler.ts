import type { Outcome } from "../_shared/events.ts";
import { createResponder, json, type LineEntry, type RequestLine } from "../_shared/http.ts";
import type { SingleReplay } from "../_shared/replay.ts";
import { isAllowedOrigin, type OriginPolicy } from "./config.ts";
import { AdminRequestError } from "./errors.ts";

/** Message ids are `msg_…` (27 characters); nothing longer is in the ledger. */
const maxSvixIdLength = 256;
const maxBodyBytes = 4096;

export interface SyncAdminHandlerOptions {
  /**
   * Checks that the session token belongs to a sync admin and returns their user id;
   * throws AdminRequestError 401 (no valid token) or 403 (not an admin).
   */
  authorize: (token: string) => Promise<string>;
  /** Replays one failed ledger event as the service role. */
  replay: (svixId: string) => Promise<SingleReplay>;
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
  outcome?: Outcome;
}

const corsAllowHeaders = "authorization, apikey, content-type, x-client-info";

/**
 * The admin function's HTTP layer. Routes, the order of checks, and every status code:
 *
 *   OPTIONS (CORS preflight)                       204, or 403 for an origin not allowed
 *   a browser origin not allowed                   403 (before anything else is read)
 *   POST /replay { "svix_id": "msg_…" }
 *     no bearer token                              401
 *     token refused by PostgREST                   401
 *     signed in, but not an admin                  403
 *     body not { svix_id: string }                 400
 *     no such message in the ledger                404
 *     in the ledger, but not failed                409 { outcome } (nothing done)
 *     its stored payload still cannot be read      422 (it stays failed)
 *     replayed                                     200 { svix_id, outcome }: applied, stale,
 *                                                      ignored, or failed (again)
 *     the database did not answer                  500
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
    const cors = origin && isAllowedOrigin(options.allowedOrigins, origin) ? corsHeaders(options.allowedOrigins, origin) : null;
    const response = await respond((entry) => handle(request, entry, origin, cors));
    if (cors) for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };

  async function handle(request: Request, entry: LineEntry<AdminRequestLog>, origin: string | null, cors: Record<string, string> | null): Promise<Response> {
    // A page on another origin is refused outright; callers without a browser send no Origin.
    if (origin && !cors) throw new AdminRequestError(403, `origin ${origin} is not allowed: add it to SYNC_ADMIN_ALLOWED_ORIGINS`);
    if (request.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-methods": "POST, OPTIONS",
          "access-control-allow-headers": corsAllowHeaders,
          "access-control-max-age": "86400",
        },
      });
    }

    const route = routeOf(request.url);
    entry.route = route;
    if (route !== "replay") throw new AdminRequestError(404, "nothing here: POST /replay { \"svix_id\": \"msg_…\" }");
    if (request.method !== "POST") return json(405, { error: "use POST" }, { allow: "POST, OPTIONS" });

    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new AdminRequestError(401, "sign in: send your session token as Authorization: Bearer …");
    entry.admin = await options.authorize(token);

    const svixId = await readSvixId(request);
    entry.svix_id = svixId;
    const replayed = await options.replay(svixId);
    switch (replayed.result) {
      case "replayed":
        entry.outcome = replayed.outcome;
        return json(200, { svix_id: svixId, outcome: replayed.outcome });
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
}

/** The last path segment: `/replay` locally, `/clerk-sync-admin/replay` on hosted Supabase. */
function routeOf(url: string): string {
  return new URL(url).pathname.replace(/\/+$/, "").split("/").at(-1) ?? "";
}

async function readSvixId(request: Request): Promise<string> {
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
  const svixId = typeof body === "object" && body !== null ? (body as { svix_id?: unknown }).svix_id : undefined;
  if (typeof svixId !== "string" || svixId.length === 0 || svixId.length > maxSvixIdLength) {
    throw new AdminRequestError(400, `svix_id must be a message id of 1 to ${maxSvixIdLength} characters`);
  }
  return svixId;
}

function corsHeaders(policy: OriginPolicy, origin: string): Record<string, string> {
  return policy.kind === "any"
    ? { "access-control-allow-origin": "*" }
    : { "access-control-allow-origin": origin, vary: "Origin" };
}

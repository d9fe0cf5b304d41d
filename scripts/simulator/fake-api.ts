/**
 * A fake Clerk Backend API on loopback, for backfill and reconcile without Clerk: it
 * serves the simulator's users, organizations and memberships (clerk-state.json, read
 * on every request, so `npm run clerk -- send …` shows at once) in the shapes and
 * pages of https://api.clerk.com/v1, with Clerk's rate limit (429 + Retry-After) and
 * errors that tests can inject.
 *
 *   npm run clerk -- fake-api [--port 54340] [--rate-limit 100/10s]
 *
 * Routes (GET only, `Authorization: Bearer <secret key>`):
 *   /v1/users                        JSON array, as Clerk's (the total is /v1/users/count)
 *   /v1/users/count                  { object: "total_count", total_count }
 *   /v1/users/:id                    UserJSON or 404
 *   /v1/users/:id/organization_memberships  { data, total_count }, each with its organization
 *   /v1/organizations                { data, total_count }
 *   /v1/organizations/:id            OrganizationJSON (by id or slug) or 404
 *   /v1/organizations/:id/memberships  { data, total_count }
 *   /v1/organization_memberships     { data, total_count }, every organization
 * Lists take limit (1–500, default 10), offset and order_by (±created_at, ±updated_at).
 */
import http, { type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClerkState } from "./state.ts";

export const fakeSecretKey = "sk_test_fake_clerk_backend_api_local";

export interface FakeClerkApiOptions {
  /** What Clerk holds; called on every request. */
  state: () => ClerkState | Promise<ClerkState>;
  /** The key requests must carry (default fakeSecretKey). */
  secretKey?: string;
  /** Default 0: a free port. */
  port?: number;
  /** At most `requests` per fixed window of `windowMs`; more answer 429 with Retry-After. */
  rateLimit?: { requests: number; windowMs: number };
}

export interface InjectedFailure {
  /** HTTP status to answer, e.g. 500, 503 or 429. */
  status: number;
  /** Only requests whose path matches (default: every request). */
  path?: RegExp;
  /** Retry-After seconds, sent with a 429 (default 1). */
  retryAfterSeconds?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface FakeClerkApi {
  /** Base URL for `createClerkClient({ apiUrl })` and CLERK_API_URL. */
  url: string;
  secretKey: string;
  /** The next `count` requests that match answer with the failure instead. */
  failNext(count: number, failure: InjectedFailure): void;
  /** Every request so far, in order. */
  requests: RequestRecord[];
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;

export async function startFakeClerkApi(options: FakeClerkApiOptions): Promise<FakeClerkApi> {
  const secretKey = options.secretKey ?? fakeSecretKey;
  const failures: Array<InjectedFailure & { left: number }> = [];
  const requests: RequestRecord[] = [];
  let windowStart = 0;
  let windowCount = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-clerk");
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, status });
      send(res, status, body, headers);
    };
    try {
      // Only loopback names: a page whose own host name resolves to 127.0.0.1 (DNS
      // rebinding) must not read the simulator's users, even knowing the key.
      if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? "")) {
        return answer(403, clerkErrors("host_invalid", "Forbidden", "The fake API answers only to 127.0.0.1 and localhost."));
      }
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        return answer(401, clerkErrors("authentication_invalid", "Invalid authentication", "The secret key is not valid for this instance."));
      }

      const injected = failures.find((f) => f.left > 0 && (!f.path || f.path.test(url.pathname)));
      if (injected) {
        injected.left--;
        return injected.status === 429
          ? answer(429, tooManyRequests(), { "retry-after": String(injected.retryAfterSeconds ?? 1) })
          : answer(injected.status, clerkErrors("internal_clerk_error", "Oops, an unexpected error occurred", "Injected by the fake API."));
      }

      if (options.rateLimit) {
        const now = Date.now();
        if (now - windowStart >= options.rateLimit.windowMs) {
          windowStart = now;
          windowCount = 0;
        }
        if (++windowCount > options.rateLimit.requests) {
          const seconds = Math.max(1, Math.ceil((windowStart + options.rateLimit.windowMs - now) / 1000));
          return answer(429, tooManyRequests(), { "retry-after": String(seconds) });
        }
      }

      if (req.method !== "GET") return answer(405, clerkErrors("method_not_allowed", "Only GET is served by the fake API"));
      const routed = route(url, await options.state());
      return answer(routed.status, routed.body);
    } catch (error) {
      return answer(500, clerkErrors("internal_clerk_error", (error as Error).message));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    failNext(count, failure) {
      failures.push({ ...failure, left: count });
    },
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(url: URL, state: ClerkState): { status: number; body: unknown } {
  const path = url.pathname.replace(/\/+$/, "");
  const users = Object.values(state.users) as unknown as Json[];
  const organizations = Object.values(state.organizations) as unknown as Json[];
  // A membership embeds its organization as it is now, as Clerk's API does.
  const memberships = Object.values(state.memberships).map((m) => ({
    ...m,
    organization: state.organizations[m.organization.id] ?? m.organization,
  })) as unknown as Json[];

  let match: RegExpExecArray | null;
  if (path === "/v1/users") return page(users, url, "array");
  if (path === "/v1/users/count") return { status: 200, body: { object: "total_count", total_count: users.length } };
  if ((match = /^\/v1\/users\/([^/]+)$/.exec(path))) {
    return found(state.users[decodeURIComponent(match[1])], "user");
  }
  if ((match = /^\/v1\/users\/([^/]+)\/organization_memberships$/.exec(path))) {
    const id = decodeURIComponent(match[1]);
    if (!state.users[id]) return found(undefined, "user");
    return page(memberships.filter((m) => (m.public_user_data as Json).user_id === id), url, "paginated");
  }
  if (path === "/v1/organizations") return page(organizations, url, "paginated");
  if ((match = /^\/v1\/organizations\/([^/]+)$/.exec(path))) {
    const key = decodeURIComponent(match[1]);
    return found(state.organizations[key] ?? organizations.find((o) => o.slug === key), "organization");
  }
  if ((match = /^\/v1\/organizations\/([^/]+)\/memberships$/.exec(path))) {
    const id = decodeURIComponent(match[1]);
    if (!state.organizations[id]) return found(undefined, "organization");
    return page(memberships.filter((m) => (m.organization as Json).id === id), url, "paginated");
  }
  if (path === "/v1/organization_memberships") return page(memberships, url, "paginated");
  return { status: 404, body: clerkErrors("resource_not_found", "not found", `The fake API serves no ${path}.`) };
}

/** One page of a list, sorted like Clerk's (default -created_at; ties by id). */
function page(items: Json[], url: URL, shape: "array" | "paginated"): { status: number; body: unknown } {
  const limit = Number(url.searchParams.get("limit") ?? 10);
  const offset = Number(url.searchParams.get("offset") ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    return { status: 422, body: clerkErrors("form_param_value_invalid", "is invalid", "limit must be between 1 and 500", "limit") };
  }
  if (!Number.isInteger(offset) || offset < 0) {
    return { status: 422, body: clerkErrors("form_param_value_invalid", "is invalid", "offset must be 0 or more", "offset") };
  }
  const orderBy = url.searchParams.get("order_by") ?? "-created_at";
  const order = /^([+-]?)(created_at|updated_at)$/.exec(orderBy);
  if (!order) {
    return { status: 422, body: clerkErrors("form_param_value_invalid", "is invalid", `order_by ${orderBy} is not supported by the fake API`, "order_by") };
  }
  const [, sign, field] = order;
  const direction = sign === "-" ? -1 : 1;
  const sorted = [...items].sort((a, b) =>
    direction * ((a[field] as number) - (b[field] as number)) || String(a.id).localeCompare(String(b.id)));
  const data = sorted.slice(offset, offset + limit);
  return { status: 200, body: shape === "array" ? data : { data, total_count: items.length } };
}

function found(object: unknown, what: string): { status: number; body: unknown } {
  return object
    ? { status: 200, body: object }
    : { status: 404, body: clerkErrors("resource_not_found", "not found", `No ${what} was found with that id.`) };
}

function tooManyRequests(): Json {
  return clerkErrors("too_many_requests", "Too many requests", "You have exceeded the rate limit. Retry after the time in Retry-After.");
}

/** Clerk's error body: `{ errors: [{ code, message, long_message, meta }], clerk_trace_id }`. */
function clerkErrors(code: string, message: string, longMessage = message, paramName?: string): Json {
  return {
    errors: [{ code, message, long_message: longMessage, meta: paramName ? { param_name: paramName } : {} }],
    clerk_trace_id: `fake_${Math.random().toString(16).slice(2, 18)}`,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  // @clerk/backend parses JSON only when content-type is exactly application/json.
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}


import { createHash } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from "jose";
import { type SessionClaims, signSessionToken, type StackKeys } from "./keys.ts";

export interface FunctionRoute {
  /** The unix socket the function listens on. */
  socket: string;
  /** As `[functions.<name>] verify_jwt` in supabase/config.toml: require a valid JWT. */
  verifyJwt: boolean;
}

export interface GatewayOptions {
  /** The unix socket PostgREST listens on. */
  postgrestSocket: string;
  functions: Map<string, FunctionRoute>;
  keys: StackKeys;
  /** The `iss` of dev session tokens. */
  issuer: string;
  /** Browser origins that may call /dev/* (the dashboard's); every other origin gets no CORS there. */
  dashboardOrigins: string[];
}

/**
 * CORS of /rest/v1, as Supabase's own gateway answers: any origin, because every request
 * needs an apikey and RLS decides what it may see. What made that unsafe here was a token
 * endpoint any page could call and a PostgREST port that skipped the gateway; /dev/* now
 * answers only the dashboard's origins, and PostgREST listens on a unix socket.
 */
const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
  "access-control-allow-headers":
    "authorization, apikey, content-type, prefer, range, accept, accept-profile, content-profile, x-client-info",
  "access-control-expose-headers": "content-range, content-location, location",
  "access-control-max-age": "86400",
};

/**
 * One HTTP entry on the API port, shaped like Supabase's own gateway:
 *   /rest/v1/*         → PostgREST (requires an `apikey`, like Supabase's gateway)
 *   /functions/v1/<fn> → that Edge Function
 *   /dev/token         → a Clerk-like session token (local stack only)
 *   /dev/jwks.json     → the dev token issuer's public keys
 *   /dev/avatar/<seed>.svg → a generated avatar for demo users
 * It answers only requests whose Host is a loopback name (DNS rebinding would otherwise
 * let any web page reach it under its own host name).
 */
export function createGateway(options: GatewayOptions): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const apiKeys = new Set([options.keys.anonKey, options.keys.serviceRoleKey]);
  const hmacKey = new TextEncoder().encode(options.keys.jwtSecret);
  const sessionKeys = createLocalJWKSet({ keys: [options.keys.sessionPublicJwk] });

  const dashboardOrigins = new Set(options.dashboardOrigins);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    try {
      if (!isLoopbackHost(header(req, "host"), req.socket.localPort)) {
        return sendJson(res, 421, { error: `This stack answers only at 127.0.0.1, localhost or [::1] on port ${req.socket.localPort}, not at Host ${JSON.stringify(header(req, "host") ?? "")}.` });
      }

      if (url.pathname.startsWith("/rest/v1/") || url.pathname === "/rest/v1") {
        if (req.method === "OPTIONS") return send(res, 200, "", corsHeaders);
        const apikey = header(req, "apikey") ?? url.searchParams.get("apikey");
        if (!apikey) return sendJson(res, 401, { message: "No API key found in request", hint: "Send the anon key in the apikey header." }, corsHeaders);
        if (!apiKeys.has(apikey)) return sendJson(res, 401, { message: "Invalid API key", hint: "Use the anonKey or serviceRoleKey from `npm run stack -- --status`." }, corsHeaders);
        const refusal = await refuseSessionToken(req);
        if (refusal) return sendJson(res, 401, refusal, { ...corsHeaders, "www-authenticate": `Bearer error="invalid_token", error_description="${refusal.message.replace(/"/g, "'")}"` });
        const headers = { ...req.headers };
        headers.authorization ??= `Bearer ${apikey}`;
        // PostgREST would read ?apikey= as a column filter, answer 400 and log the key.
        url.searchParams.delete("apikey");
        return proxy(req, res, options.postgrestSocket, url.pathname.slice("/rest/v1".length) || "/", url.search, headers, corsHeaders, "PostgREST");
      }

      const fn = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (fn) {
        const route = options.functions.get(fn[1]);
        if (!route) return sendJson(res, 404, { error: `no function named ${fn[1]}` });
        if (route.verifyJwt && !(await hasValidJwt(req))) {
          return sendJson(res, 401, { error: "Missing or invalid JWT; this function has verify_jwt = true." });
        }
        // No CORS here: each function answers its own preflights, as on hosted Supabase.
        return proxy(req, res, route.socket, fn[2] ?? "/", url.search, req.headers, {}, `function ${fn[1]}`);
      }

      if (url.pathname.startsWith("/dev/")) {
        const origin = header(req, "origin");
        const cors = devCorsHeaders(origin);
        if (!cors) return sendJson(res, 403, { error: `Origin ${origin} may not use /dev/*: only the dashboard's (${options.dashboardOrigins.join(", ")}; STACK_DASHBOARD_ORIGINS adds more).` });
        if (req.method === "OPTIONS") return send(res, 204, "", cors);
        return await devRoute(req, res, url, cors);
      }

      if (url.pathname === "/" || url.pathname === "/health") {
        return sendJson(res, 200, { ok: true, rest: "/rest/v1/", functions: [...options.functions.keys()].map((name) => `/functions/v1/${name}`), devToken: "/dev/token" });
      }
      return sendJson(res, 404, { error: `nothing at ${url.pathname}` });
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: `gateway: ${(error as Error).message}` });
      else res.destroy();
    }
  });

  async function hasValidJwt(req: IncomingMessage): Promise<boolean> {
    const token = bearerToken(req);
    if (!token) return false;
    const secret = jwtVerify(token, hmacKey, { algorithms: ["HS256"] });
    const session = jwtVerify(token, sessionKeys, { algorithms: ["RS256"], issuer: options.issuer });
    const valid = await Promise.any([secret, session]).then(() => true, () => false);
    return valid && !(await refuseSessionToken(req));
  }

  /** Only the dashboard may read /dev/* from a browser; any other page gets no CORS, so its browser keeps the answer from it. */
  function devCorsHeaders(origin: string | undefined): Record<string, string> | null {
    if (origin === undefined) return {};
    if (!dashboardOrigins.has(origin)) return null;
    return {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "apikey, authorization, content-type, x-client-info",
      "access-control-max-age": "86400",
      vary: "origin",
    };
  }

  /**
   * PostgREST checks a token's signature and expiry but not its issuer. On hosted
   * Supabase, the third-party auth setting pins Clerk's issuer; here the gateway does,
   * because it stands in for that platform layer and already holds the keys. (A
   * db-pre-request function would have been the other place, but a migration ships to
   * production, where the trusted issuer is Clerk's and already enforced.)
   *
   * Supabase's third-party auth also accepts only `role: "authenticated"` from Clerk: a
   * session token claiming `service_role` (or any other role PostgREST would switch to)
   * must not get that role's rights.
   *
   * Only a token that verifies against the session key is judged here; anything else
   * (another key, alg none, HS256 forgeries, expired) goes on to PostgREST, which
   * refuses it with its own error. Returns PostgREST's error shape, or null to pass.
   */
  async function refuseSessionToken(req: IncomingMessage): Promise<{ code: string; message: string; hint: string; details: null } | null> {
    const token = bearerToken(req);
    if (!token || apiKeys.has(token)) return null;
    let claims: JWTPayload;
    try {
      claims = (await jwtVerify(token, sessionKeys, { algorithms: ["RS256"] })).payload;
    } catch {
      return null;
    }
    const refusal = (message: string, hint: string) => ({ code: "PGRST301", message, hint, details: null });
    if (claims.iss !== options.issuer) {
      return refusal(`JWT issuer ${typeof claims.iss === "string" ? JSON.stringify(claims.iss) : "(none)"} is not trusted`, `Session tokens must be issued by ${options.issuer}.`);
    }
    if (claims.role !== "authenticated") {
      return refusal(`JWT role ${typeof claims.role === "string" ? JSON.stringify(claims.role) : "(none)"} is not allowed for a session token`, 'Session tokens must carry role "authenticated".');
    }
    return null;
  }

  async function devRoute(req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<void> {
    if (url.pathname === "/dev/token" && req.method === "POST") {
      const apikey = header(req, "apikey");
      if (!apikey || !apiKeys.has(apikey)) {
        return sendJson(res, 401, { error: "Send the stack's anon key in the apikey header (`npm run stack -- --status` prints it)." }, cors);
      }
      const body = await readJson(req);
      const claims = parseTokenRequest(body);
      if (typeof claims === "string") return sendJson(res, 400, { error: claims }, cors);
      const { token, expiresAt } = await signSessionToken(options.keys, options.issuer, claims);
      return sendJson(res, 200, { token, expires_at: expiresAt }, cors);
    }
    if (url.pathname === "/dev/jwks.json" || url.pathname === "/dev/.well-known/jwks.json") {
      return sendJson(res, 200, { keys: [options.keys.sessionPublicJwk satisfies JWK] }, cors);
    }
    const avatar = /^\/dev\/avatar\/([^/]+)\.svg$/.exec(url.pathname);
    if (avatar && req.method === "GET") {
      return send(res, 200, avatarSvg(decodeURIComponent(avatar[1]), url.searchParams.get("name") ?? ""), {
        ...cors,
        "content-type": "image/svg+xml",
        "cache-control": "public, max-age=86400",
      });
    }
    return sendJson(res, 404, { error: `nothing at ${url.pathname}` }, cors);
  }

  function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    socketPath: string,
    path: string,
    search: string,
    headers: http.IncomingHttpHeaders,
    extraHeaders: Record<string, string>,
    name: string,
  ): void {
    const upstream = http.request(
      {
        socketPath,
        method: req.method,
        path: path + search,
        headers: { ...headers, host: "localhost", "x-forwarded-for": req.socket.remoteAddress ?? "" },
        agent,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, { ...reply.headers, ...extraHeaders });
        reply.pipe(res);
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (!res.headersSent) sendJson(res, 502, { error: `${name} is not answering (${error.code ?? error.message})` }, extraHeaders);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  return server;
}

function parseTokenRequest(body: unknown): SessionClaims | string {
  if (body === null || typeof body !== "object") return "send a JSON object: { \"sub\": \"user_…\" }";
  const { sub, ttl_seconds, org_id, org_role, org_slug, claims } = body as Record<string, unknown>;
  if (typeof sub !== "string" || !sub) return "sub (the Clerk user id) is required";
  if (ttl_seconds !== undefined && (typeof ttl_seconds !== "number" || ttl_seconds < 1 || ttl_seconds > 86_400)) {
    return "ttl_seconds must be between 1 and 86400";
  }
  if (claims !== undefined && (claims === null || typeof claims !== "object" || Array.isArray(claims))) {
    return "claims must be an object";
  }
  return {
    sub,
    ttlSeconds: ttl_seconds as number | undefined,
    org: typeof org_id === "string" ? { id: org_id, role: typeof org_role === "string" ? org_role : "org:member", slug: typeof org_slug === "string" ? org_slug : undefined } : undefined,
    extra: claims as Record<string, unknown> | undefined,
  };
}

/** A circle with initials, its colour picked from a hash of the seed. */
function avatarSvg(seed: string, name: string): string {
  const hue = createHash("sha256").update(seed).digest()[0] * (360 / 256);
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join("")
    .replace(/[<>&"']/g, "") || "?";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" rx="64" fill="hsl(${Math.round(hue)} 55% 45%)"/><text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="52" font-weight="600" fill="#fff">${initials}</text></svg>`;
}

/** Whether `host` (a Host header) names this machine's loopback interface on `port`. */
export function isLoopbackHost(host: string | undefined, port: number | undefined): boolean {
  const parsed = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d+))?$/i.exec(host ?? "");
  return parsed !== null && Number(parsed[2] ?? 80) === port;
}

function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(header(req, "authorization") ?? "")?.[1];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { ...headers, "content-type": "application/json" });
}

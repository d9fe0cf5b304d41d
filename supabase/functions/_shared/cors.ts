/**
 * Which browser origins may call a function, and the CORS answers that say so. The
 * functions the dashboard calls (clerk-sync-admin, clerk-sync-self) each read their list
 * from their own variable, with the same rules.
 */
import { ConfigError } from "./env.ts";

/** Which browser origins may call a function. */
export type OriginPolicy =
  /** No browser origin: the default, until the dashboard's origin is configured. */
  | { kind: "none" }
  /** Any origin (`*`). */
  | { kind: "any" }
  /**
   * http://localhost, 127.0.0.1 or [::1] on any port (`loopback`): what the local stack
   * sets, since its dashboards run on whatever port is free. Never the default: on a
   * deployed function it would let any page served from the visitor's own machine in.
   */
  | { kind: "loopback" }
  /** Exactly these origins, e.g. https://admin.example.com. */
  | { kind: "list"; origins: string[] };

/**
 * `*`, `loopback`, or `https://a.example, https://b.example` (each a bare origin: no
 * path), or unset (no browser origin: a deployed function refuses browsers until it is
 * told the dashboard's address, a loud CORS error, never a silent opening). `name` is
 * the variable, for the error message.
 */
export function parseOriginPolicy(name: string, value: string | undefined): OriginPolicy {
  const raw = value?.trim();
  if (!raw) return { kind: "none" };
  if (raw === "*") return { kind: "any" };
  if (raw === "loopback") return { kind: "loopback" };
  const origins = raw.split(/[\s,]+/).filter(Boolean).map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(`${name}: "${entry}" is not an origin like https://admin.example.com.`);
    }
    if (url.origin === "null" || entry.replace(/\/$/, "") !== url.origin) {
      throw new ConfigError(`${name}: "${entry}" is not an origin like https://admin.example.com (no path).`);
    }
    return url.origin;
  });
  return { kind: "list", origins };
}

/** Whether a browser page at `origin` may call the function. */
export function isAllowedOrigin(policy: OriginPolicy, origin: string): boolean {
  switch (policy.kind) {
    case "none":
      return false;
    case "any":
      return true;
    case "list":
      return policy.origins.includes(origin);
    case "loopback":
      return /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);
  }
}

/** The headers every answer to an allowed origin carries. */
export function allowOriginHeaders(policy: OriginPolicy, origin: string): Record<string, string> {
  return policy.kind === "any"
    ? { "access-control-allow-origin": "*" }
    : { "access-control-allow-origin": origin, vary: "Origin" };
}

/** What supabase-js's functions.invoke sends besides the body. */
const allowHeaders = "authorization, apikey, content-type, x-client-info";

/** The answer to a CORS preflight from an allowed origin. */
export function preflightResponse(methods: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-methods": methods,
      "access-control-allow-headers": allowHeaders,
      "access-control-max-age": "86400",
    },
  });
}

/**
 * The clerk-sync-admin function's HTTP layer with its two dependencies faked: routes,
 * CORS, the order of checks and every status code. The real thing against the stack is
 * in tests/integration/sync-admin.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../supabase/functions/_shared/env.ts";
import type { SingleReplay } from "../../supabase/functions/_shared/replay.ts";
import { AdminRequestError } from "../../supabase/functions/clerk-sync-admin/errors.ts";
import { type AdminRequestLog, createSyncAdminHandler } from "../../supabase/functions/clerk-sync-admin/handler.ts";
import { createAdminCheck } from "../../supabase/functions/clerk-sync-admin/auth.ts";
import { isAllowedOrigin, loadSyncAdminConfig, type OriginPolicy, parseAllowedOrigins } from "../../supabase/functions/clerk-sync-admin/config.ts";

const dashboard = "https://admin.example.com";

function handler({ replay = { result: "replayed", outcome: "applied" } as SingleReplay, origins = { kind: "list", origins: [dashboard] } as OriginPolicy } = {}) {
  const calls = { authorize: [] as string[], replay: [] as string[] };
  const logs: AdminRequestLog[] = [];
  const handle = createSyncAdminHandler({
    authorize: async (token) => {
      calls.authorize.push(token);
      if (token === "admin-token") return "user_admin";
      if (token === "member-token") throw new AdminRequestError(403, "admins only");
      throw new AdminRequestError(401, "session token not accepted");
    },
    replay: async (svixId) => {
      calls.replay.push(svixId);
      return replay;
    },
    allowedOrigins: origins,
    log: (line) => logs.push(line),
  });
  return { handle, calls, logs };
}

function replayRequest({ token = "admin-token" as string | null, body = JSON.stringify({ svix_id: "msg_1" }) as string, origin = null as string | null, path = "/replay", method = "POST" } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (origin) headers.origin = origin;
  return new Request(`http://fn.local${path}`, { method, headers, body: method === "POST" ? body : undefined });
}

async function answer(response: Response) {
  return { status: response.status, body: await response.json().catch(() => null) };
}

describe("POST /replay", () => {
  it("replays for an admin and answers the outcome", async () => {
    const { handle, calls, logs } = handler();
    expect(await answer(await handle(replayRequest()))).toEqual({ status: 200, body: { svix_id: "msg_1", outcome: "applied" } });
    expect(calls).toEqual({ authorize: ["admin-token"], replay: ["msg_1"] });
    expect(logs[0]).toMatchObject({ msg: "clerk-sync-admin", status: 200, route: "replay", admin: "user_admin", svix_id: "msg_1", outcome: "applied" });
    expect(JSON.stringify(logs)).not.toContain("admin-token");
  });

  it("answers at the path hosted Supabase passes on too (/<function>/replay)", async () => {
    const { handle } = handler();
    expect((await handle(replayRequest({ path: "/clerk-sync-admin/replay" }))).status).toBe(200);
  });

  it("refuses a request without a token with 401, before reading the body or replaying", async () => {
    const { handle, calls } = handler();
    expect(await answer(await handle(replayRequest({ token: null, body: "not json" })))).toMatchObject({ status: 401 });
    expect(calls).toEqual({ authorize: [], replay: [] });
  });

  it("passes on the admin check's 401 and 403, and replays nothing", async () => {
    const { handle, calls } = handler();
    expect((await handle(replayRequest({ token: "forged" }))).status).toBe(401);
    expect((await handle(replayRequest({ token: "member-token", body: "{}" }))).status).toBe(403);
    expect(calls.replay).toEqual([]);
  });

  it.each([
    ["not JSON", "{"],
    ["no svix_id", "{}"],
    ["a number", JSON.stringify({ svix_id: 42 })],
    ["an empty id", JSON.stringify({ svix_id: "" })],
    ["an id longer than a ledger key", JSON.stringify({ svix_id: `msg_${"x".repeat(300)}` })],
  ])("refuses a body with %s: 400", async (_, body) => {
    const { handle, calls } = handler();
    expect((await handle(replayRequest({ body }))).status).toBe(400);
    expect(calls.replay).toEqual([]);
  });

  it("refuses a body over 4 KiB: 413", async () => {
    const { handle } = handler();
    expect((await handle(replayRequest({ body: JSON.stringify({ svix_id: "msg_1", pad: "x".repeat(5000) }) }))).status).toBe(413);
  });

  it.each([
    [{ result: "unknown" } as SingleReplay, 404, { error: "no event msg_1 in the ledger" }],
    [{ result: "not_failed", outcome: "applied" } as SingleReplay, 409, { svix_id: "msg_1", outcome: "applied" }],
    [{ result: "unreadable", error: "data.id must be a string" } as SingleReplay, 422, { svix_id: "msg_1" }],
    [{ result: "replayed", outcome: "failed" } as SingleReplay, 200, { svix_id: "msg_1", outcome: "failed" }],
    [{ result: "replayed", outcome: "stale" } as SingleReplay, 200, { svix_id: "msg_1", outcome: "stale" }],
  ])("maps %j to %i", async (replay, status, body) => {
    const { handle } = handler({ replay });
    const response = await answer(await handle(replayRequest()));
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject(body);
  });

  it("answers 404 elsewhere and 405 for another method", async () => {
    const { handle } = handler();
    expect((await handle(replayRequest({ path: "/clerk-sync-admin" }))).status).toBe(404);
    expect((await handle(replayRequest({ path: "/replay/now" }))).status).toBe(404);
    const get = await handle(replayRequest({ method: "GET" }));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("CORS", () => {
  it("answers the dashboard's preflight with what supabase-js sends", async () => {
    const { handle, calls } = handler();
    const response = await handle(new Request("http://fn.local/replay", {
      method: "OPTIONS",
      headers: { origin: dashboard, "access-control-request-method": "POST", "access-control-request-headers": "authorization, apikey, content-type, x-client-info" },
    }));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(response.headers.get("vary")).toBe("Origin");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization, apikey, content-type, x-client-info");
    expect(calls.authorize).toEqual([]);
  });

  it("puts the allow-origin header on answers to the dashboard, errors included", async () => {
    const { handle } = handler();
    for (const token of ["admin-token", "member-token", null]) {
      const response = await handle(replayRequest({ token, origin: dashboard }));
      expect(response.headers.get("access-control-allow-origin"), String(token)).toBe(dashboard);
    }
  });

  it("refuses a page on another origin, preflight or not, without asking anyone", async () => {
    const { handle, calls } = handler();
    const preflight = await handle(new Request("http://fn.local/replay", { method: "OPTIONS", headers: { origin: "https://evil.example" } }));
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const post = await handle(replayRequest({ origin: "https://evil.example" }));
    expect(post.status).toBe(403);
    expect(calls).toEqual({ authorize: [], replay: [] });
  });

  it("with SYNC_ADMIN_ALLOWED_ORIGINS=* allows any origin with a literal *", async () => {
    const { handle } = handler({ origins: { kind: "any" } });
    expect((await handle(replayRequest({ origin: "https://anywhere.example" }))).headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("the configuration", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  const base = { SUPABASE_URL: "http://api", SUPABASE_ANON_KEY: "anon", SUPABASE_SERVICE_ROLE_KEY: "service" };

  it("allows only loopback origins when SYNC_ADMIN_ALLOWED_ORIGINS is unset", () => {
    const config = loadSyncAdminConfig(env(base));
    expect(config.allowedOrigins).toEqual({ kind: "loopback" });
    for (const origin of ["http://127.0.0.1:5173", "http://localhost:41234", "http://[::1]:8080", "http://localhost"]) {
      expect(isAllowedOrigin(config.allowedOrigins, origin), origin).toBe(true);
    }
    for (const origin of ["https://localhost.evil.example", "http://127.0.0.1.evil.example", "https://admin.example.com", "null"]) {
      expect(isAllowedOrigin(config.allowedOrigins, origin), origin).toBe(false);
    }
  });

  it("reads a list of origins, and refuses anything that is not a bare origin", () => {
    expect(parseAllowedOrigins("https://a.example, https://b.example:8443/")).toEqual({ kind: "list", origins: ["https://a.example", "https://b.example:8443"] });
    expect(() => parseAllowedOrigins("https://a.example/admin")).toThrow(ConfigError);
    expect(() => parseAllowedOrigins("a.example")).toThrow(/SYNC_ADMIN_ALLOWED_ORIGINS/);
  });

  it("names the missing variable", () => {
    expect(() => loadSyncAdminConfig(env({ ...base, SUPABASE_ANON_KEY: "" }))).toThrow("SUPABASE_ANON_KEY is not set.");
    expect(() => loadSyncAdminConfig(env({ ...base, SYNC_ADMIN_DB_TIMEOUT_MS: "soon" }))).toThrow(/SYNC_ADMIN_DB_TIMEOUT_MS/);
  });
});

describe("the admin check", () => {
  function check(status: number, body: unknown) {
    const seen: Array<{ url: string; headers: Headers }> = [];
    const authorize = createAdminCheck({
      supabaseUrl: "http://api",
      anonKey: "anon",
      timeoutMs: 1000,
      fetch: (async (url: string, init: RequestInit) => {
        seen.push({ url, headers: new Headers(init.headers) });
        return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
      }) as typeof fetch,
    });
    return { authorize, seen };
  }

  it("calls authorize_sync_admin with the caller's own token and returns their id", async () => {
    const { authorize, seen } = check(200, "user_admin");
    expect(await authorize("caller-token")).toBe("user_admin");
    expect(seen[0].url).toBe("http://api/rest/v1/rpc/authorize_sync_admin");
    expect(seen[0].headers.get("authorization")).toBe("Bearer caller-token");
    expect(seen[0].headers.get("apikey")).toBe("anon");
  });

  it.each([
    [401, { code: "PGRST301", message: "JWT expired" }, 401],
    [403, { code: "42501", message: "sync admin actions are for admins" }, 403],
    [500, { message: "boom" }, 502],
  ])("turns PostgREST's %i into %i", async (status, body, expected) => {
    const { authorize } = check(status, body);
    await expect(authorize("t")).rejects.toMatchObject({ name: "AdminRequestError", status: expected });
  });
});

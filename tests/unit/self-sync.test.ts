/**
 * clerk-sync-self without servers: the HTTP layer with its three dependencies faked (the
 * order of checks, CORS and every status code), the session check against a fake
 * PostgREST, and the pure core that turns what Clerk answered into events. The real
 * thing against the stack is tests/integration/self-sync.test.ts.
 */
import { describe, expect, it } from "vitest";
import { envelope, membershipJSON, organizationJSON, sessionJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import { ClerkApiError, type ClerkObject } from "../../supabase/functions/_shared/clerk-api.ts";
import { parseOriginPolicy } from "../../supabase/functions/_shared/cors.ts";
import { ConfigError } from "../../supabase/functions/_shared/env.ts";
import { DatabaseError, InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import { changeForEvent, type LedgerEvent, ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { goneEvent, snapshotEvent } from "../../supabase/functions/_shared/snapshots.ts";
import { createSessionCheck } from "../../supabase/functions/clerk-sync-self/auth.ts";
import { loadSelfSyncConfig, selfSyncNotice } from "../../supabase/functions/clerk-sync-self/config.ts";
import { SelfSyncRefusal } from "../../supabase/functions/clerk-sync-self/errors.ts";
import { createSelfSyncHandler, type SelfSyncLog } from "../../supabase/functions/clerk-sync-self/handler.ts";
import { pullEvents, type PullResult, pullUser } from "../../supabase/functions/clerk-sync-self/pull.ts";

const dashboard = "https://app.example.com";
const synced: PullResult = { result: "synced", outcome: "applied", memberships: 0 };

function handler({ wait = 0, pull = async (): Promise<PullResult> => synced } = {}) {
  const calls = { identify: [] as string[], claim: [] as string[], pull: [] as string[] };
  const logs: SelfSyncLog[] = [];
  const handle = createSelfSyncHandler({
    identify: async (token) => {
      calls.identify.push(token);
      if (token.startsWith("token-of-")) return token.slice("token-of-".length);
      throw new SelfSyncRefusal(401, "session token not accepted: JWT expired");
    },
    claim: async (userId) => {
      calls.claim.push(userId);
      return wait;
    },
    pull: async (userId) => {
      calls.pull.push(userId);
      return await pull();
    },
    allowedOrigins: { kind: "list", origins: [dashboard] },
    intervalSeconds: 30,
    log: (line) => logs.push(line),
  });
  return { handle, calls, logs };
}

function request({ token = "token-of-user_ada" as string | null, origin = null as string | null, method = "POST", body = "" } = {}) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (origin) headers.origin = origin;
  return new Request("http://fn.local/clerk-sync-self", { method, headers, body: method === "POST" ? body : undefined });
}

async function answer(response: Response) {
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json().catch(() => null) };
}

describe("the order of checks", () => {
  it("syncs the token's own user and answers what the pull did", async () => {
    const { handle, calls, logs } = handler();
    expect(await answer(await handle(request()))).toEqual({ status: 200, retryAfter: null, body: { ...synced, user_id: "user_ada" } });
    expect(calls).toEqual({ identify: ["token-of-user_ada"], claim: ["user_ada"], pull: ["user_ada"] });
    expect(logs[0]).toMatchObject({ msg: "clerk-sync-self", status: 200, user: "user_ada", result: "synced", outcome: "applied" });
    expect(JSON.stringify(logs)).not.toContain("token-of-");
  });

  it("never reads the body: a body naming another user changes nothing", async () => {
    const { handle, calls } = handler();
    const response = await handle(request({ body: JSON.stringify({ user_id: "user_victim", sub: "user_victim" }) }));
    expect((await answer(response)).body.user_id).toBe("user_ada");
    expect(calls.pull).toEqual(["user_ada"]);
  });

  it("refuses a request without a token with 401, asking no one", async () => {
    const { handle, calls } = handler();
    expect(await answer(await handle(request({ token: null })))).toMatchObject({ status: 401, body: { error: expect.stringMatching(/sign in/) } });
    expect(calls).toEqual({ identify: [], claim: [], pull: [] });
  });

  it("refuses a token the database does not accept with 401, before the claim", async () => {
    const { handle, calls } = handler();
    expect((await handle(request({ token: "expired" }))).status).toBe(401);
    expect(calls.claim).toEqual([]);
  });

  it("answers 429 with Retry-After when the user pulled within the interval, and does not pull", async () => {
    const { handle, calls, logs } = handler({ wait: 17 });
    expect(await answer(await handle(request()))).toEqual({
      status: 429,
      retryAfter: "17",
      body: { error: "you synced less than 30 s ago: try again in 17 s" },
    });
    expect(calls.pull).toEqual([]);
    expect(logs[0]).toMatchObject({ status: 429, user: "user_ada", error: "you synced less than 30 s ago: try again in 17 s" });
  });

  it("answers a deleted user with 200 and result deleted", async () => {
    const { handle } = handler({ pull: async () => ({ result: "deleted", outcome: "applied" }) });
    expect((await answer(await handle(request()))).body).toEqual({ result: "deleted", outcome: "applied", user_id: "user_ada" });
  });

  it("answers another method with 405", async () => {
    const { handle } = handler();
    const response = await handle(request({ method: "GET" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("Clerk and database failures", () => {
  const failing = (error: unknown) => handler({ pull: async () => { throw error; } }).handle(request());

  it("Clerk's 429 becomes 503 with Clerk's Retry-After when it is longer than the interval", async () => {
    expect(await answer(await failing(new ClerkApiError("rate limited", 429, 45)))).toMatchObject({ status: 503, retryAfter: "45", body: { error: "Clerk is not answering right now (429): try again in 45 s" } });
  });

  it.each([
    ["Clerk's 429 with a short Retry-After", new ClerkApiError("rate limited", 429, 2)],
    ["Clerk's 500", new ClerkApiError("answered 500", 500)],
    ["Clerk's 503", new ClerkApiError("answered 503", 503)],
    ["a network error (no status)", new ClerkApiError("fetch failed")],
  ])("%s becomes 503, retried after the interval the claim holds", async (_, error) => {
    expect(await answer(await failing(error))).toMatchObject({ status: 503, retryAfter: "30", body: { error: expect.stringMatching(/Clerk is not answering/) } });
  });

  it("Clerk refusing the function's own key (401) is 502, naming the setting", async () => {
    expect(await answer(await failing(new ClerkApiError("answered 401", 401)))).toMatchObject({ status: 502, body: { error: expect.stringMatching(/CLERK_SECRET_KEY/) } });
  });

  it("an answer of Clerk's that the mappers refuse is 502", async () => {
    expect((await failing(new InvalidEventError("data.updated_at must be Unix milliseconds"))).status).toBe(502);
  });

  it("a database failure is 500, without its detail", async () => {
    expect(await answer(await failing(new DatabaseError("connection refused", "08006")))).toMatchObject({ status: 500, body: { error: "the database did not answer; try again" } });
    expect(await answer(await failing(new Error("boom")))).toMatchObject({ status: 500, body: { error: "internal error" } });
  });
});

describe("CORS", () => {
  it("answers an allowed origin's preflight, and exposes Retry-After to its page", async () => {
    const { handle, calls } = handler({ wait: 5 });
    const preflight = await handle(request({ method: "OPTIONS", origin: dashboard, token: null }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(calls.identify).toEqual([]);
    const limited = await handle(request({ origin: dashboard }));
    expect(limited.headers.get("access-control-expose-headers")).toBe("retry-after");
  });

  it("refuses another origin with 403 before looking at its token", async () => {
    const { handle, calls } = handler();
    const response = await handle(request({ origin: "https://evil.example.com" }));
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect((await response.json()).error).toMatch(/SELF_SYNC_ALLOWED_ORIGINS/);
    expect(calls.identify).toEqual([]);
  });
});

describe("the session check", () => {
  const check = (status: number, body: unknown) =>
    createSessionCheck({ supabaseUrl: "http://api.test", anonKey: "anon", timeoutMs: 1000, fetch: async () => new Response(JSON.stringify(body), { status }) });

  it("answers the sub the database read from the token", async () => {
    let sent: Request | undefined;
    const sessionCheck = createSessionCheck({
      supabaseUrl: "http://api.test",
      anonKey: "anon",
      timeoutMs: 1000,
      fetch: async (input, init) => {
        sent = new Request(input, init);
        return new Response(JSON.stringify("user_ada"));
      },
    });
    expect(await sessionCheck("the-token")).toBe("user_ada");
    expect(sent!.url).toBe("http://api.test/rest/v1/rpc/session_clerk_id");
    expect(sent!.headers.get("authorization")).toBe("Bearer the-token");
  });

  it.each([
    ["a token PostgREST refuses (401)", 401, { code: "PGRST301", message: "JWT expired" }],
    ["a role that may not ask (403: anon, service_role)", 403, { code: "42501", message: "permission denied for function session_clerk_id" }],
    ["a signed-in token without a sub (null)", 200, null],
  ])("refuses %s with 401", async (_, status, body) => {
    const error = await check(status, body)("t").catch((e) => e);
    expect(error).toBeInstanceOf(SelfSyncRefusal);
    expect(error.status).toBe(401);
  });

  it("reports a PostgREST that fails as ours (DatabaseError, 500), not as the caller's", async () => {
    expect(await check(500, { message: "boom" })("t").catch((e) => e)).toBeInstanceOf(DatabaseError);
    const unreachable = createSessionCheck({ supabaseUrl: "http://api.test", anonKey: "anon", timeoutMs: 1000, fetch: async () => { throw new TypeError("fetch failed"); } });
    expect(await unreachable("t").catch((e) => e)).toBeInstanceOf(DatabaseError);
  });
});

describe("the pull's events", () => {
  const ada = userJSON({ firstName: "Ada", createdAt: Date.UTC(2026, 10, 1) });
  const user = ada as unknown as ClerkObject;
  const acme = organizationJSON({ name: "Acme", createdBy: ada.id });
  const memberships = [
    membershipJSON({ organization: acme, user: ada, role: "org:admin" }),
    membershipJSON({ organization: organizationJSON({ name: "Other", createdBy: ada.id }), user: ada }),
  ] as unknown as ClerkObject[];

  it("are the user, then each organization once, then the memberships, each the snapshot of its version", () => {
    const events = pullEvents(user, [...memberships, { ...memberships[0], id: "orgmem_second_in_acme" }]);
    expect(events.map((e) => e.type)).toEqual([
      "user.updated", "organization.updated", "organization.updated", "organizationMembership.updated", "organizationMembership.updated", "organizationMembership.updated",
    ]);
    expect(events[0]).toMatchObject({ svix_id: `pull:${user.id}:${user.updated_at}`, event_at: new Date(user.updated_at!).toISOString(), object_id: user.id });
    expect(events[1].svix_id).toBe(`pull:${acme.id}:${acme.updated_at}`);
  });

  it("a snapshot's id sorts after Svix's msg_ ids, so the pull wins a tie of equal clocks", () => {
    expect(snapshotEvent("pull", "users", user).svix_id > "msg_2zZZZZZZZZZZZZZZZZZZZZZZZZ").toBe(true);
    expect(snapshotEvent("backfill", "users", user).svix_id < "msg_0").toBe(true);
  });

  it("never keep private metadata in the ledger", () => {
    for (const event of pullEvents(user, memberships)) expect(JSON.stringify(event.payload)).not.toContain("private_metadata");
  });

  it("a user Clerk answers 404 for is tombstoned, clocked when Clerk said so", async () => {
    const applied: LedgerEvent[][] = [];
    const result = await pullUser("user_gone", {
      reader: { user: async () => null, userMemberships: async () => { throw new ClerkApiError("not found", 404); } },
      apply: async (events) => {
        applied.push(events);
        return events.map(() => "applied" as const);
      },
      now: () => Date.UTC(2026, 11, 1),
    });
    expect(result).toEqual({ result: "deleted", outcome: "applied" });
    expect(applied).toEqual([[goneEvent("pull", "users", { clerk_id: "user_gone" }, Date.UTC(2026, 11, 1))]]);
    expect(applied[0][0]).toMatchObject({ svix_id: `pull:user_gone:gone:${Date.UTC(2026, 11, 1)}`, type: "user.deleted", change: { op: "tombstone" } });
  });

  it("applies nothing when Clerk fails, and passes the failure on", async () => {
    let applied = 0;
    const error = await pullUser("user_ada", {
      reader: { user: async () => user, userMemberships: async () => { throw new ClerkApiError("answered 503", 503); } },
      apply: async (events) => {
        applied++;
        return events.map(() => "applied" as const);
      },
    }).catch((e) => e);
    expect(error).toMatchObject({ name: "ClerkApiError", status: 503 });
    expect(applied).toBe(0);
  });
});

describe("configuration", () => {
  const base = { SUPABASE_URL: "http://api", SUPABASE_ANON_KEY: "anon", SUPABASE_SERVICE_ROLE_KEY: "service", CLERK_SECRET_KEY: "sk_test_x" };
  const env = (values: Record<string, string>) => (name: string) => values[name];

  it("has defaults for everything but the keys", () => {
    expect(loadSelfSyncConfig(env(base))).toMatchObject({
      clerkApiUrl: "https://api.clerk.com",
      intervalSeconds: 30,
      allowedOrigins: { kind: "none" },
      databaseTimeoutMs: 10_000,
      clerkTimeoutMs: 10_000,
    });
  });

  it("allows no browser origin until told one, and says so at start; loopback is the local stack's setting", () => {
    const unset = loadSelfSyncConfig(env(base));
    expect(selfSyncNotice(unset)).toMatch(/SELF_SYNC_ALLOWED_ORIGINS is not set/);
    const local = loadSelfSyncConfig(env({ ...base, SELF_SYNC_ALLOWED_ORIGINS: "loopback" }));
    expect(local.allowedOrigins).toEqual({ kind: "loopback" });
    expect(selfSyncNotice(local)).toBeNull();
  });

  it("refuses to start without CLERK_SECRET_KEY, naming it", () => {
    const { CLERK_SECRET_KEY: _, ...rest } = base;
    expect(() => loadSelfSyncConfig(env(rest))).toThrow(new ConfigError("CLERK_SECRET_KEY is not set."));
  });

  it("names its own variable when an origin is malformed", () => {
    expect(() => parseOriginPolicy("SELF_SYNC_ALLOWED_ORIGINS", "https://app.example.com/path")).toThrow(/SELF_SYNC_ALLOWED_ORIGINS/);
    expect(() => loadSelfSyncConfig(env({ ...base, SELF_SYNC_INTERVAL_SECONDS: "0" }))).toThrow(/SELF_SYNC_INTERVAL_SECONDS must be a positive integer/);
  });
});

describe("session.created", () => {
  const user = userJSON({ firstName: "Ada", createdAt: Date.UTC(2026, 0, 1) });
  const signIn = (embedded: unknown) =>
    parseEnvelope(envelope("session.created", { ...sessionJSON({ userId: user.id, now: Date.UTC(2026, 5, 1) }), user: embedded }, Date.UTC(2026, 5, 1)));

  it("with the user embedded, upserts their profile, clocked by the user's own updated_at", () => {
    const event = ledgerEvent("msg_1", signIn(user), new Date());
    expect(event.change).toEqual({ table: "profiles", op: "upsert", row: profileFromUser(user) });
    expect(event.event_at).toBe(new Date(user.updated_at).toISOString());
  });

  it("without one (older payloads, or user: null), changes nothing", () => {
    expect(changeForEvent(signIn(null))).toBeNull();
    expect(changeForEvent(parseEnvelope(envelope("session.created", { id: "sess_1" })))).toBeNull();
    expect(changeForEvent(parseEnvelope(envelope("session.ended", { ...sessionJSON({ userId: user.id }), user })))).toBeNull();
  });

  it("keeps neither the user's private nor unsafe metadata in the ledger", () => {
    const stored = JSON.stringify(ledgerEvent("msg_1", signIn({ ...user, unsafe_metadata: { note: "from the browser" } }), new Date()).payload);
    expect(stored).not.toContain(user.private_metadata.stripe_customer_id as string);
    expect(stored).not.toContain("from the browser");
    expect(stored).toContain(user.id);
  });

  it("refuses an embedded user it cannot read, like a user.updated", () => {
    expect(() => ledgerEvent("msg_1", signIn({ ...user, updated_at: "yesterday" }), new Date())).toThrow(InvalidEventError);
  });
});

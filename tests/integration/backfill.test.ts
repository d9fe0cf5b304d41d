/**
 * Backfill from Clerk's Backend API, read with @clerk/backend from the fake API on
 * loopback: pagination, rate limits, errors, and a backfill racing live webhooks.
 * Backfill never tombstones, so it shares the run's stack: it only writes the objects
 * its own fake Clerk holds.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { ClerkApiError, createClerkReader, type ClerkReaderOptions } from "../../supabase/functions/_shared/clerk-api.ts";
import { runFromClerk } from "../../scripts/ops/backfill.ts";
import { supabaseReconcileStore } from "../../supabase/functions/_shared/reconcile-store.ts";
import { startFakeClerkApi, type FakeClerkApi } from "../../scripts/simulator/fake-api.ts";
import { envelope, membershipJSON, organizationJSON, userJSON, type UserJSON } from "../../scripts/simulator/payloads.ts";
import type { ClerkState } from "../../scripts/simulator/state.ts";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { clerkId, database, newMessage, post, serviceClient } from "../support/clients.ts";

const stack = inject("stack");
const service = serviceClient(stack);
const db = database(stack);
const store = supabaseReconcileStore(service);

const t0 = Date.UTC(2026, 9, 1, 8, 0, 0);

/** A fake Clerk with `users` users (created a minute apart), stopped after the file. */
async function fakeClerk(users: number, options: { rateLimit?: { requests: number; windowMs: number } } = {}) {
  const state: ClerkState = { users: {}, organizations: {}, memberships: {} };
  for (let i = 0; i < users; i++) {
    const user = userJSON({ firstName: `User${i}`, lastName: "Backfilled", username: `bf${i}_${Math.floor(Math.random() * 1e9)}`, createdAt: t0 + i * 60_000 });
    state.users[user.id] = user;
  }
  const api = await startFakeClerkApi({ state: () => state, rateLimit: options.rateLimit });
  afterAll(() => api.stop());
  return { state, api };
}

/** The step's reader, as `npm run clerk -- backfill` builds it: runFromClerk does the waiting. */
function reader(api: FakeClerkApi, options: Partial<ClerkReaderOptions> = {}) {
  return createClerkReader({ secretKey: api.secretKey, apiUrl: api.url, pageSize: 3, maxAttempts: 1, maxRateLimitWaits: 0, ...options });
}

async function profile(id: string) {
  const { data, error } = await service.from("profiles").select("*").eq("clerk_id", id).single();
  if (error) throw error;
  return data;
}

describe("backfill", () => {
  it("applies every user, organization and membership across pages, as a webhook would write them", async () => {
    const { state, api } = await fakeClerk(7);
    const [owner, member] = Object.values(state.users);
    const org = organizationJSON({ name: `Backfilled ${Math.floor(Math.random() * 1e9)}`, createdBy: owner.id, createdAt: t0 });
    state.organizations[org.id] = org;
    for (const [user, role] of [[owner, "org:admin"], [member, "org:member"]] as const) {
      const m = membershipJSON({ organization: org, user, role, createdAt: t0 + 1000 });
      state.memberships[m.id] = m;
    }

    const reports = await runFromClerk({ reader: reader(api), store, mode: "backfill" });
    expect(reports.map(({ kind, read, outcomes, invalid }) => ({ kind, read, applied: outcomes.applied, invalid: invalid.length }))).toEqual([
      { kind: "users", read: 7, applied: 7, invalid: 0 },
      { kind: "organizations", read: 1, applied: 1, invalid: 0 },
      { kind: "memberships", read: 2, applied: 2, invalid: 0 },
    ]);

    // Users came in pages of 3 by updated_at, oldest first, each page starting one row
    // before the last one ended (a row deleted in between must not be skipped).
    const userPages = api.requests.filter((r) => /^\/v1\/users\?/.test(r.path)).map((r) => new URLSearchParams(r.path.split("?")[1]));
    expect(userPages.map((q) => [q.get("limit"), q.get("offset"), q.get("order_by")])).toEqual([["3", "0", "+updated_at"], ["3", "2", "+updated_at"], ["3", "4", "+updated_at"], ["3", "6", "+updated_at"]]);

    for (const user of Object.values(state.users)) {
      expect(await profile(user.id)).toMatchObject({ ...profileFromUser(user), clerk_created_at: expect.any(String), clerk_updated_at: expect.any(String), event_id: `backfill:${user.id}:${user.updated_at}` });
    }
    const { data: members } = await service.from("organization_memberships").select("user_id, role").eq("organization_id", org.id).order("role");
    expect(members).toEqual([{ user_id: owner.id, role: "org:admin" }, { user_id: member.id, role: "org:member" }]);

    const { rows } = await db.query(
      "select type, source, event_at, payload::text as payload from clerk_events where svix_id = $1",
      [`backfill:${owner.id}:${owner.updated_at}`],
    );
    expect(rows[0]).toMatchObject({ type: "user.updated", source: "backfill", event_at: new Date(owner.updated_at) });
    expect(rows[0].payload).not.toContain("private_metadata");
  });

  it("running it again applies nothing: every object is already here at its version", async () => {
    const { api } = await fakeClerk(4);
    await runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["users"] });
    const [again] = await runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["users"] });
    expect(again).toMatchObject({ read: 4, unchanged: 4, upserted: [], outcomes: { applied: 0 } });
  });

  it("waits out 429 answers for as long as Retry-After says", async () => {
    const { state, api } = await fakeClerk(2);
    const org = organizationJSON({ name: "Rate Limited", createdBy: Object.keys(state.users)[0], createdAt: t0 });
    state.organizations[org.id] = org;
    api.failNext(2, { status: 429, path: /^\/v1\/organizations$/, retryAfterSeconds: 1 });
    const waits: Array<[number, string]> = [];
    const started = Date.now();
    const [report] = await runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["organizations"], onWait: (ms, why) => waits.push([ms, why]) });

    expect(waits).toEqual([[1000, "rate limited"], [1000, "rate limited"]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(report.outcomes.applied).toBe(1);
    expect(api.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("finishes under the fake API's own rate limit, answering 429 to the requests over it", async () => {
    const { state, api } = await fakeClerk(10, { rateLimit: { requests: 3, windowMs: 1000 } });
    const [report] = await runFromClerk({ reader: reader(api, { pageSize: 2 }), store, mode: "backfill", kinds: ["users"] });
    expect(report).toMatchObject({ read: 10, outcomes: { applied: 10 } });
    expect(api.requests.some((r) => r.status === 429)).toBe(true);
    for (const id of Object.keys(state.users)) expect((await profile(id)).deleted_at).toBeNull();
  });

  it("retries a 503, and gives up on an endless 500 naming the request", async () => {
    const { api } = await fakeClerk(1);
    const noWait = async () => {};
    api.failNext(1, { status: 503 });
    const [report] = await runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["users"], sleep: noWait });
    expect(report.read).toBe(1);

    api.failNext(10, { status: 500 });
    await expect(runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["users"], sleep: noWait }))
      .rejects.toThrow(/listing users at 0: Clerk answered 500: .* \(gave up after 5 attempts\)/);
  });

  it("stops at once on a wrong secret key, with Clerk's message", async () => {
    const { api } = await fakeClerk(1);
    const wrongKey = createClerkReader({ secretKey: "sk_test_wrong", apiUrl: api.url, maxAttempts: 1, maxRateLimitWaits: 0 });
    const error = await runFromClerk({ reader: wrongKey, store, mode: "backfill" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClerkApiError);
    expect((error as ClerkApiError).message).toMatch(/answered 401: The secret key is not valid/);
    // No retry: the first page was asked once (a users page is one request, without a count).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.requests.map((r) => r.status)).toEqual([401]);
  });
});

describe("a backfill racing live webhooks", () => {
  it("never overwrites what a newer webhook wrote, whatever the interleaving", async () => {
    // Clerk's API serves the users as they were; each user then changes, and the webhook
    // for that change arrives before, during or after the backfill.
    const { state, api } = await fakeClerk(24);
    const users = Object.values(state.users);
    const sendLive = async (user: UserJSON, i: number) => {
      const changed = { ...user, first_name: `Live${i}`, updated_at: user.updated_at + 5000 };
      const { status } = await post(stack, newMessage(envelope("user.updated", changed, changed.updated_at)));
      expect(status).toBe(200);
    };
    const before = users.slice(0, 8), during = users.slice(8, 16), after = users.slice(16);

    await Promise.all(before.map((user, i) => sendLive(user, i)));
    const [[report]] = await Promise.all([
      runFromClerk({ reader: reader(api, { pageSize: 4 }), store, mode: "backfill", kinds: ["users"], maxRequests: 2 }),
      ...during.map(async (user, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 15));
        await sendLive(user, 8 + i);
      }),
    ]);
    await Promise.all(after.map((user, i) => sendLive(user, 16 + i)));

    // The eight whose webhook came first were already newer here (left alone, or stale if
    // the webhook won between the comparison and the apply); the eight whose webhook came
    // last were backfilled, then overwritten.
    expect(report.outcomes.applied + report.unchanged).toBe(24);
    expect(report.unchanged).toBeGreaterThanOrEqual(8);
    expect(report.outcomes.applied).toBeGreaterThanOrEqual(8);
    for (const [i, user] of users.entries()) {
      expect((await profile(user.id)).first_name, `user ${i}`).toBe(`Live${i}`);
    }
  });

  it("is itself overwritten by a newer webhook, and wins over an older one that arrives late", async () => {
    const { state, api } = await fakeClerk(1);
    const [user] = Object.values(state.users);
    await runFromClerk({ reader: reader(api), store, mode: "backfill", kinds: ["users"] });

    const older = await post(stack, newMessage(envelope("user.updated", { ...user, first_name: "Older" }, user.updated_at - 1000)));
    expect(older.body).toEqual({ outcome: "stale" });
    expect((await profile(user.id)).first_name).toBe(user.first_name);

    const newer = await post(stack, newMessage(envelope("user.updated", { ...user, first_name: "Newer" }, user.updated_at + 1000), clerkId("msg")));
    expect(newer.body).toEqual({ outcome: "applied" });
    expect((await profile(user.id)).first_name).toBe("Newer");
  });
});

/**
 * A deployment left alone: the local stack runs the reconcile's schedule (as pg_cron
 * does when deployed) against the fake Backend API, and sync_health tells missing
 * webhooks from a quiet app. Its own stack: the alarm is about the whole database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeClerkApi, fakeSecretKey, startFakeClerkApi } from "../../scripts/simulator/fake-api.ts";
import { envelope, organizationJSON, type UserJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import type { ClerkState } from "../../scripts/simulator/state.ts";
import { createNodeClient } from "../../scripts/lib/supabase.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import { devToken, newMessage, post, serviceClient } from "../support/clients.ts";
import { startTestStack } from "../support/test-stack.ts";

let stack: RunningStack;
let api: FakeClerkApi;
const clerk: ClerkState = { users: {}, organizations: {}, memberships: {} };
const minute = 60_000;
const intervalSeconds = 2;

beforeAll(async () => {
  api = await startFakeClerkApi({ state: () => clerk });
  stack = await startTestStack(
    { CLERK_SECRET_KEY: fakeSecretKey, CLERK_API_URL: api.url, RECONCILE_PAGE_SIZE: "10", RECONCILE_GRACE_SECONDS: "60" },
    { reconcileIntervalSeconds: intervalSeconds },
  );
});
afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

type Health = { status: string; quiet: boolean; last_event_age_seconds: number; webhooks_missing: { since: string; kinds: string[] } | null };

async function health(staleAfterSeconds = 3600): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${stack.status.apiUrl}/rest/v1/rpc/sync_health?stale_after_seconds=${staleAfterSeconds}`, { headers: { apikey: stack.status.anonKey } });
  return { status: response.status, body: await response.json() };
}

/**
 * Changes Clerk and, unless `lost`, delivers the webhook, clocked when it happened.
 * The webhook goes first, so a scheduled step in between never repairs a change whose
 * webhook was on its way.
 */
async function change(type: string, data: UserJSON | ReturnType<typeof organizationJSON>, lost = false) {
  if (!lost) {
    const { status } = await post(stack.status, newMessage(envelope(type, data, data.updated_at)));
    expect(status).toBe(200);
  }
  if (type.startsWith("user.")) clerk.users[data.id] = data as UserJSON;
  else clerk.organizations[data.id] = data as ReturnType<typeof organizationJSON>;
}

/** Every user here as Clerk has it: first names, none missing. */
async function profilesMatchClerk(): Promise<boolean> {
  const { data, error } = await serviceClient(stack.status).from("profiles").select("clerk_id, first_name, deleted_at");
  if (error) throw error;
  const here = new Map(data.map((row) => [row.clerk_id, row]));
  return Object.values(clerk.users).every((user) => here.get(user.id)?.first_name === user.first_name && here.get(user.id)?.deleted_at === null);
}

describe("a deployment whose webhooks lose 10 % of the changes", () => {
  const lostIds: string[] = [];

  it("after one scheduled cycle the database equals Clerk, and sync_health says webhooks are missing (503)", async () => {
    const at = Date.now() - 20 * minute;
    for (let i = 0; i < 40; i++) {
      const user = userJSON({ firstName: `Sched${i}`, lastName: "User", username: `sched${i}`, createdAt: at + i * 1000 });
      const lost = i % 10 === 3;
      if (lost) lostIds.push(user.id);
      await change("user.created", user, lost);
    }
    expect(await profilesMatchClerk()).toBe(false);
    await expect.poll(profilesMatchClerk, { timeout: 10 * intervalSeconds * 1000, interval: 500 }).toBe(true);

    await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(503);
    const { body } = await health();
    expect(body.status).toBe("webhooks_missing");
    // Since when and which kinds for anyone; how many only for admins.
    expect(body.webhooks_missing).toEqual({ kinds: ["users"], since: expect.any(String), detected_at: expect.any(String) });
    // The first missing change: where to recover failed messages from in Clerk's dashboard.
    expect(Date.parse(body.webhooks_missing!.since)).toBe(clerk.users[lostIds[0]].updated_at);
    const admin = await devToken(stack.status, "user_admin_count", { claims: { metadata: { role: "admin" } } });
    const { data } = await createNodeClient(stack.status.apiUrl, stack.status.anonKey, async () => admin).rpc("sync_reconcile_report");
    expect((data as { webhooks_missing: { repaired: number } }).webhooks_missing.repaired).toBe(4);
  });

  it("clears itself once webhooks flow again", async () => {
    const at = Date.now() - 2 * minute;
    for (const [i, user] of Object.values(clerk.users).slice(0, 5).entries()) {
      await change("user.updated", { ...user, last_name: "Flowing", updated_at: at + i });
    }
    await expect.poll(async () => (await health()).status, { timeout: 10 * intervalSeconds * 1000, interval: 500 }).toBe(200);
    expect((await health()).body).toMatchObject({ status: "ok", webhooks_missing: null });
  });

  it("a quiet instance (no changes, no webhook for longer than stale_after_seconds) is healthy while the reconcile runs", async () => {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const { status, body } = await health(1);
    expect(body.last_event_age_seconds).toBeGreaterThan(1);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", quiet: true });
    // The health page does not call it a stall either.
    const admin = await devToken(stack.status, "user_admin_quiet", { claims: { metadata: { role: "admin" } } });
    const { data } = await createNodeClient(stack.status.apiUrl, stack.status.anonKey, async () => admin).rpc("sync_health_report", { stale_after_seconds: 1 });
    expect((data as { stalled: boolean }).stalled).toBe(false);
  });

  it("a busy instance where one event type stopped arriving is not: users flow, organization.updated does not", async () => {
    const owner = Object.values(clerk.users)[0];
    const org = organizationJSON({ name: "Busy Co", createdBy: owner.id, createdAt: Date.now() - 30 * minute });
    await change("organization.created", org);
    const at = Date.now() - 2 * minute;
    await change("organization.updated", { ...org, name: "Busy Corporation", updated_at: at }, true);
    for (const [i, user] of Object.values(clerk.users).slice(5, 10).entries()) {
      await change("user.updated", { ...user, last_name: "Busy", updated_at: at + i });
    }
    await expect.poll(async () => (await health()).body.webhooks_missing?.kinds, { timeout: 10 * intervalSeconds * 1000, interval: 500 }).toEqual(["organizations"]);
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe("webhooks_missing");
    expect(body.last_event_age_seconds).toBeLessThan(60); // the old stall alarm would have said ok
  });

  it("the operator view: last step, cursor, lease, next run; admins only", async () => {
    const admin = await devToken(stack.status, "user_admin_reconcile", { claims: { metadata: { role: "admin" } } });
    const { data, error } = await createNodeClient(stack.status.apiUrl, stack.status.anonKey, async () => admin).rpc("sync_reconcile_report" as never);
    expect(error).toBeNull();
    const report = data as unknown as { last_step: { stopped: string; kinds: Record<string, unknown> }; cursors: { users: { offset: number } }; schedule_seconds: number; next_run_at: string; webhooks_missing: { kinds: string[] } };
    expect(report.schedule_seconds).toBe(intervalSeconds);
    expect(report.last_step.stopped).toBe("caught_up");
    expect(report.cursors.users.offset).toBeGreaterThanOrEqual(40);
    expect(Date.parse(report.next_run_at)).toBeGreaterThan(Date.now() - 10 * intervalSeconds * 1000);
    expect(report.webhooks_missing.kinds).toEqual(["organizations"]);

    const user = await devToken(stack.status, "user_not_admin");
    const refused = await createNodeClient(stack.status.apiUrl, stack.status.anonKey, async () => user).rpc("sync_reconcile_report" as never);
    expect(refused.error?.code).toBe("42501");
  });
});

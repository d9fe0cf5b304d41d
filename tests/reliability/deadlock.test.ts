/**
 * Two groups of events in flight at once (two function instances, group commit) can
 * deadlock: a membership takes shared locks on its organization and user, whose ids
 * sort apart from the membership's own, so the (object_id, svix_id) order of a group
 * does not cover every lock. Found by the convergence property with two instances
 * (`npm run soak`: 500 "40P01 deadlock detected" for a whole group). PostgreSQL aborts
 * one side; retryDeadlocks (_shared/apply.ts) now runs an aborted group again.
 *
 * The other side of the deadlock here is a plain session that takes the same locks in
 * the other order, with a long deadlock_timeout so that PostgreSQL always picks the
 * group as the victim.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { envelope, membershipJSON, organizationJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import { retryDeadlocks } from "../../supabase/functions/_shared/apply.ts";
import { DatabaseError } from "../../supabase/functions/_shared/errors.ts";
import { ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { connectApplyDatabase } from "../../supabase/functions/clerk-webhook/database.ts";
import { clerkId, database, newMessage, post } from "../support/clients.ts";

const stack = inject("stack");
const db = database(stack);
// The webhook's own path: its connection to Postgres as clerk_webhook.
const connection = connectApplyDatabase({ url: stack.webhookDbUrl, mode: "direct", poolSize: 1, timeoutMs: 30_000 });
afterAll(() => connection.end());
const tag = Date.now().toString(36).slice(-6);
const t = Date.UTC(2026, 10, 3);
let other: pg.Client | null = null;

afterEach(async () => {
  await other?.end();
  other = null;
});

const event = (type: string, data: unknown, at: number) => ledgerEvent(clerkId("msg"), parseEnvelope(envelope(type, data, at)), new Date());

/** Users u1 and u2 and an organization, synced. */
async function scene(name: string) {
  const u1 = userJSON({ id: `user_dl${tag}${name}1`, firstName: "One", createdAt: t });
  const u2 = userJSON({ id: `user_dl${tag}${name}2`, firstName: "Two", createdAt: t });
  const org = organizationJSON({ id: `org_dl${tag}${name}`, name: "Deadlock Inc", createdBy: u1.id, createdAt: t });
  for (const [type, data] of [["user.created", u1], ["user.created", u2], ["organization.created", org]] as const) {
    expect((await post(stack, newMessage(envelope(type, data, t)))).status).toBe(200);
  }
  return { u1, u2, org };
}

/**
 * Runs `group` while a second session holds u1's profile row, waits until the group is
 * stuck on it (after taking u2's lock through the membership), then has the session ask
 * for u2's lock exclusively: a cycle. Returns the group's result.
 */
async function deadlock(u1: string, u2: string, group: () => Promise<unknown>) {
  other = new pg.Client({ connectionString: stack.dbUrl });
  await other.connect();
  await other.query("set deadlock_timeout = '60s'");
  await other.query("begin");
  await other.query("select 1 from public.profiles where clerk_id = $1 for update", [u1]);
  const result = group().then((value) => ({ value }), (error: unknown) => ({ error }));
  let waiting = false;
  for (let i = 0; i < 200 && !waiting; i++) {
    const { rows } = await db.query(
      "select count(*)::int as n from pg_stat_activity where state = 'active' and wait_event_type = 'Lock' and query like '%apply_clerk_events%'");
    waiting = rows[0].n > 0;
    if (!waiting) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(waiting, "the group waits for u1's row").toBe(true);
  // Granted once PostgreSQL has aborted the group to break the cycle.
  await other.query("select pg_advisory_xact_lock(private.clerk_lock_key($1))", [u2]);
  await other.query("commit");
  return await result;
}

describe("two groups that deadlock", () => {
  let scenes: Record<string, Awaited<ReturnType<typeof scene>>>;
  beforeAll(async () => {
    scenes = { bare: await scene("a"), retried: await scene("b") };
  });

  const group = ({ u1, u2, org }: Awaited<ReturnType<typeof scene>>) => [
    event("user.updated", { ...u1, first_name: "Changed", updated_at: t + 5 }, t + 5),
    event("organizationMembership.created", membershipJSON({ id: `orgmem_dl${u2.id.slice(-8)}`, organization: org, user: u2, createdAt: t + 5 }), t + 5),
  ];

  it("deadlock in PostgreSQL when nothing retries (the cause)", async () => {
    const { u1, u2 } = scenes.bare;
    const result = await deadlock(u1.id, u2.id, () => retryDeadlocks(connection.applyGroup, 0)(group(scenes.bare)));
    expect(result).toMatchObject({ error: expect.any(DatabaseError) });
    expect((result as { error: DatabaseError }).error.code).toBe("40P01");
  });

  it("the aborted group is run again and every event in it commits (the fix)", async () => {
    const { u1, u2 } = scenes.retried;
    const result = await deadlock(u1.id, u2.id, () => retryDeadlocks(connection.applyGroup)(group(scenes.retried)));
    expect(result).toEqual({ value: ["applied", "applied"] });
    const { rows } = await db.query("select first_name from profiles where clerk_id = $1", [u1.id]);
    expect(rows).toEqual([{ first_name: "Changed" }]);
  });
});

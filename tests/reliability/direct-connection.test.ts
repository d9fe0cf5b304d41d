/**
 * The webhook's own connection to Postgres (clerk-webhook/database.ts) under faults, on
 * a private stack: the database killed while a group is inside it, and more groups at
 * once than the pool has connections. Every answer is checked against the ledger: no
 * 2xx for an event that did not commit, and after retries every event is in the ledger
 * once and every row equals its newest event.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newMessage, sendOnce, type Message } from "../../scripts/simulator/delivery.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import { DatabaseError } from "../../supabase/functions/_shared/errors.ts";
import { ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { connectApplyDatabase } from "../../supabase/functions/clerk-webhook/database.ts";
import { startTestStack, testSecrets } from "../support/test-stack.ts";

let stack: RunningStack;
let db: pg.Pool;
const tag = Date.now().toString(36).slice(-5);
const t = Date.UTC(2026, 10, 4);
const timeoutMs = 2000;

beforeAll(async () => {
  stack = await startTestStack({ WEBHOOK_DB_TIMEOUT_MS: String(timeoutMs) });
  db = new pg.Pool({ connectionString: stack.status.dbUrl, max: 2 });
  db.on("error", () => {});
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` users, created and synced; each with an update message not yet sent. */
async function syncedUsers(name: string, count: number) {
  const users = Array.from({ length: count }, (_, i) => userJSON({ id: `user_dc${tag}${name}${i}`, firstName: "v0", createdAt: t }));
  for (const user of users) {
    expect((await sendOnce(newMessage(envelope("user.created", user, t)), { url: stack.status.webhookUrl, secret: testSecrets.current })).status).toBe(200);
  }
  const updates = users.map((user) => newMessage(envelope("user.updated", { ...user, first_name: "v1", updated_at: t + 1000 }, t + 1000)));
  return { ids: users.map((u) => u.id), updates };
}

/** A session that holds the rows of `ids` until `release()`, so a group touching them waits inside Postgres. */
async function holdRows(ids: string[]) {
  const holder = new pg.Client({ connectionString: stack.status.dbUrl });
  holder.on("error", () => {});
  await holder.connect();
  await holder.query("begin");
  await holder.query("select 1 from profiles where clerk_id = any($1) for update", [ids]);
  return {
    release: async () => {
      await holder.query("commit").catch(() => {});
      await holder.end().catch(() => {});
    },
  };
}

async function waitForGroupOnLock() {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%apply_clerk_events%'");
    if (rows[0].n > 0) return;
    await pause(25);
  }
  throw new Error("no group waited for the held rows");
}

async function ledger(ids: string[]) {
  const { rows } = await db.query<{ svix_id: string; outcome: string; attempts: number }>(
    "select svix_id, outcome::text, attempts from clerk_events where svix_id = any($1)", [ids]);
  return new Map(rows.map((r) => [r.svix_id, r]));
}

async function expectRowsAt(ids: string[], firstName: string, messages: Message[]) {
  const { rows } = await db.query("select clerk_id, first_name, event_id from profiles where clerk_id = any($1) order by clerk_id", [ids]);
  const byUser = new Map(messages.map((m) => [JSON.parse(m.body).data.id, m.id]));
  expect(rows).toEqual(ids.toSorted().map((id) => ({ clerk_id: id, first_name: firstName, event_id: byUser.get(id) })));
}

describe("the database is killed while a group is inside it", () => {
  it("answers 500 to every delivery of the group, and their retries converge", async () => {
    const { ids, updates } = await syncedUsers("k", 6);
    const held = await holdRows(ids);
    const send = (message: Message) => sendOnce(message, { url: stack.status.webhookUrl, secret: testSecrets.current }).catch((error) => ({ status: String(error), body: "" }));
    const answers = Promise.all(updates.map(send));
    await waitForGroupOnLock();

    const killedAt = performance.now();
    await stack.parts.database.kill();
    const first = await answers;
    expect(first.map((a) => a.status), "no 2xx for a group that never committed").toEqual(updates.map(() => 500));
    // A killed server closes its sockets: the answer does not wait for the timeout.
    expect(performance.now() - killedAt).toBeLessThan(timeoutMs + 1000);
    await held.release();

    await stack.parts.database.start();
    expect((await ledger(updates.map((m) => m.id))).size, "nothing of the killed group committed").toBe(0);
    // Svix's retry: the pool reconnects, and every event applies once.
    const retried = await Promise.all(updates.map(send));
    expect(retried.map((a) => [a.status, JSON.parse(a.body).outcome])).toEqual(updates.map(() => [200, "applied"]));
    const rows = await ledger(updates.map((m) => m.id));
    for (const m of updates) expect(rows.get(m.id)).toMatchObject({ outcome: "applied", attempts: 1 });
    await expectRowsAt(ids, "v1", updates);
  }, 120_000);
});

describe("more groups at once than connections", () => {
  const groupsOf = (messages: Message[], size: number) =>
    Array.from({ length: Math.ceil(messages.length / size) }, (_, i) =>
      messages.slice(i * size, i * size + size).map((m) => ledgerEvent(m.id, parseEnvelope(JSON.parse(m.body)), new Date())));

  it("waits for the one connection: every group commits once it is free", async () => {
    const { ids, updates } = await syncedUsers("w", 8);
    const groups = groupsOf(updates, 2);
    const database = connectApplyDatabase({ url: stack.status.webhookDbUrl, mode: "direct", poolSize: 1, timeoutMs: 5000 });
    try {
      const held = await holdRows(ids.slice(0, 1));
      const results = Promise.all(groups.map((group) => database.applyGroup(group)));
      await waitForGroupOnLock();
      await pause(300);
      await held.release();
      expect(await results).toEqual(groups.map((g) => g.map(() => "applied")));
      await expectRowsAt(ids, "v1", updates);
    } finally {
      await database.end();
    }
  }, 60_000);

  it.each(["direct", "pooler"] as const)("%s mode: fails every group with a DatabaseError within the timeout while the connection stays busy, and nothing is lost on retry", async (mode) => {
    const { ids, updates } = await syncedUsers(`x${mode}`, 8);
    const groups = groupsOf(updates, 2);
    const database = connectApplyDatabase({ url: stack.status.webhookDbUrl, mode, poolSize: 1, timeoutMs });
    try {
      // Every row held: whichever group has the connection waits, and the rest queue.
      const held = await holdRows(ids);
      const started = performance.now();
      const results = await Promise.all(groups.map((group) => database.applyGroup(group).then(() => "committed", (error) => error)));
      const elapsed = performance.now() - started;
      for (const result of results) {
        expect(result).toBeInstanceOf(DatabaseError);
        expect((result as DatabaseError).code).toBe("57014");
      }
      // Each group is given up on `timeoutMs` after it was started, waiting included.
      expect(elapsed).toBeLessThan(timeoutMs + 1500);
      await held.release();
    } finally {
      await database.end();
    }
    // Svix's retries, through the function: each event is applied, or found already
    // applied by a group that was still queued when it was given up on.
    const retried = await Promise.all(updates.map((m) => sendOnce(m, { url: stack.status.webhookUrl, secret: testSecrets.current })));
    for (const answer of retried) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).outcome).toMatch(/^(applied|duplicate)$/);
    }
    const rows = await ledger(updates.map((m) => m.id));
    for (const m of updates) expect(rows.get(m.id)).toMatchObject({ outcome: "applied" });
    await expectRowsAt(ids, "v1", updates);
  }, 90_000);
});

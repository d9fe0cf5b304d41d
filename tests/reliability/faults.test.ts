/**
 * Faults, on a private stack: the database stopped (and crashed) under load, PostgREST
 * stopped under load, the function killed under load and in the middle of one request.
 * Every answer is checked against the ledger: a 2xx only for an event that committed,
 * and after Svix-style retries (scripts/simulator/delivery.ts) every event is in the ledger
 * and every row equals its newest event: zero lost. Then `npm run clerk --
 * replay-failed`, before and after a fix.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, type Message, newMessage, sendOnce } from "../../scripts/simulator/delivery.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import { replayFailed } from "../../scripts/ops/replay-failed.ts";
import { createNodeClient } from "../../scripts/lib/supabase.ts";
import { startTestStack, testSecrets } from "../support/test-stack.ts";
import { soak, writeFigures } from "./support/figures.ts";

let stack: RunningStack;
let db: pg.Pool;
const tag = Date.now().toString(36).slice(-5);
const rounds = soak ? 5 : 1;
const usersPerRound = soak ? 80 : 40;

interface FaultFigures {
  injected: number;
  events: number;
  attempts: number;
  answers: Record<string, number>;
  twoXxForUncommitted: number;
  failedAnswersThatHadCommitted: number;
  eventsLost: number;
  mostAttemptsForOneEvent: number;
}
const figures = { rounds, usersPerRound, faults: {} as Record<string, FaultFigures> };
const totals = () => Object.values(figures.faults).reduce((t, f) => ({ events: t.events + f.events, lost: t.lost + f.eventsLost, lies: t.lies + f.twoXxForUncommitted }), { events: 0, lost: 0, lies: 0 });
function fault(name: string): FaultFigures {
  return (figures.faults[name] ??= { injected: 0, events: 0, attempts: 0, answers: {}, twoXxForUncommitted: 0, failedAnswersThatHadCommitted: 0, eventsLost: 0, mostAttemptsForOneEvent: 0 });
}

beforeAll(async () => {
  // A short database timeout, so a request stuck behind a dead database answers 500
  // quickly instead of after 10 s.
  stack = await startTestStack({ WEBHOOK_DB_TIMEOUT_MS: "3000" });
  db = new pg.Pool({ connectionString: stack.status.dbUrl, max: 2 });
  // The pool must survive the database going away under it.
  db.on("error", () => {});
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await writeFigures("faults", { ...figures, totals: totals() });
  console.log(`faults: ${JSON.stringify(figures)}`);
});

interface Answer {
  status: number | string;
  outcome?: string;
}

/** A user's life as messages: created, then two updates. */
function lives(round: string, count: number): Array<{ userId: string; messages: Message[]; newest: Message }> {
  return Array.from({ length: count }, (_, i) => {
    const userId = `user_fault${tag}${round}n${i}`;
    const t = Date.UTC(2026, 10, 1) + i;
    const user = userJSON({ id: userId, firstName: "v0", createdAt: t });
    const messages = [0, 1, 2].map((v) => newMessage(envelope(v === 0 ? "user.created" : "user.updated", { ...user, first_name: `v${v}`, updated_at: t + v * 1000 }, t + v * 1000)));
    return { userId, messages, newest: messages[2] };
  });
}

/**
 * Delivers every message with Svix's retries (1/1000 of its schedule) from 8 senders,
 * calls `fault` once a third of them have been sent, and records every attempt's answer.
 */
async function underLoad(name: string, round: string, inject: () => Promise<void>) {
  const people = lives(round, usersPerRound);
  const queue = people.flatMap((p) => p.messages).sort(() => Math.random() - 0.5);
  const answers = new Map<string, Answer[]>();
  const record = (id: string, answer: Answer) => answers.set(id, [...(answers.get(id) ?? []), answer]);
  let sent = 0;
  let injected: Promise<void> | null = null;
  const sender = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      // A third of the way through, the fault.
      if (++sent === usersPerRound && !injected) {
        fault(name).injected++;
        injected = inject();
      }
      const result = await deliver(message, {
        url: stack.status.webhookUrl,
        secret: testSecrets.current,
        timeScale: 1 / 1000,
        fetch: async (input, init) => {
          try {
            const response = await fetch(input, init);
            const copy = response.clone();
            const body = await copy.json().catch(() => ({}));
            record(message.id, { status: response.status, outcome: (body as { outcome?: string }).outcome });
            return response;
          } catch (error) {
            record(message.id, { status: "connection error" });
            throw error;
          }
        },
      });
      expect(result.status, `${message.id} after ${result.attempts} attempts: ${result.body}`).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  await injected;
  await checkNothingLost(fault(name), people, answers);
}

async function checkNothingLost(figures: FaultFigures, people: ReturnType<typeof lives>, answers: Map<string, Answer[]>) {
  const ids = people.flatMap((p) => p.messages.map((m) => m.id));
  const { rows } = await db.query<{ svix_id: string; outcome: string; attempts: number }>(
    "select svix_id, outcome::text, attempts from clerk_events where svix_id = any($1)", [ids]);
  const ledger = new Map(rows.map((r) => [r.svix_id, r]));
  figures.events += ids.length;
  for (const id of ids) {
    const got = answers.get(id) ?? [];
    figures.attempts += got.length;
    figures.mostAttemptsForOneEvent = Math.max(figures.mostAttemptsForOneEvent, got.length);
    for (const a of got) figures.answers[a.status] = (figures.answers[a.status] ?? 0) + 1;
    const row = ledger.get(id);
    if (!row) figures.eventsLost++;
    // A 2xx is only ever an answer for a committed event, with the committed outcome.
    for (const a of got.filter((a) => typeof a.status === "number" && a.status < 300)) {
      if (!row) figures.twoXxForUncommitted++;
      if (a.outcome !== "duplicate") expect(a.outcome).toBe(row?.outcome);
    }
    const firstSuccess = got.findIndex((a) => typeof a.status === "number" && a.status < 300);
    if (firstSuccess > 0 && got[firstSuccess].outcome === "duplicate") figures.failedAnswersThatHadCommitted++;
    expect(row, `${id} is in the ledger`).toMatchObject({ outcome: expect.stringMatching(/^(applied|stale)$/), attempts: 1 });
  }
  expect(figures.eventsLost).toBe(0);
  expect(figures.twoXxForUncommitted).toBe(0);
  const { rows: profiles } = await db.query<{ clerk_id: string; first_name: string; event_id: string }>(
    "select clerk_id, first_name, event_id from profiles where clerk_id = any($1)", [people.map((p) => p.userId)]);
  expect(profiles).toHaveLength(people.length);
  const newest = new Map(people.map((p) => [p.userId, p.newest.id]));
  for (const row of profiles) expect(row, "each row equals its newest event").toEqual({ clerk_id: row.clerk_id, first_name: "v2", event_id: newest.get(row.clerk_id) });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("faults under load", () => {
  it("the database stops (fast shutdown) and comes back: 5xx meanwhile, nothing lost", async () => {
    for (let round = 0; round < rounds; round++) {
      await underLoad("database stopped", `s${round}`, async () => {
        await stack.parts.database.stop();
        await pause(1500);
        await stack.parts.database.start();
      });
    }
    expect(Object.keys(fault("database stopped").answers).some((status) => status.startsWith("5"))).toBe(true);
  }, 300_000);

  it("the database crashes (immediate shutdown, WAL recovery) and comes back: nothing lost", async () => {
    for (let round = 0; round < rounds; round++) {
      await underLoad("database crashed", `c${round}`, async () => {
        await stack.parts.database.kill();
        await pause(1500);
        await stack.parts.database.start();
      });
    }
  }, 300_000);

  it("PostgREST stops and comes back: nothing lost", async () => {
    for (let round = 0; round < rounds; round++) {
      await underLoad("PostgREST stopped", `p${round}`, async () => {
        await stack.parts.postgrest.stop();
        await pause(1500);
        await stack.parts.postgrest.start();
      });
    }
  }, 300_000);

  it("the function is killed (SIGKILL) under load and restarted: nothing lost", async () => {
    for (let round = 0; round < rounds; round++) {
      await underLoad("function killed", `f${round}`, async () => {
        await stack.parts.functions.get("clerk-webhook")!.kill();
        await pause(500);
        await stack.parts.functions.get("clerk-webhook")!.start();
      });
    }
  }, 300_000);
});

describe("the function killed in the middle of one request", () => {
  it("answers no 2xx, the transaction it started still commits, and Svix's retry is a duplicate", async () => {
    const figures = fault("function killed mid-request");
    figures.injected++;
    const [life] = lives("mid", 1);
    const created = life.messages[0];
    expect((await sendOnce(created, { url: stack.status.webhookUrl, secret: testSecrets.current })).status).toBe(200);

    // Hold the row, so the next event's transaction waits inside apply_clerk_event.
    const holder = await db.connect();
    await holder.query("begin");
    await holder.query("select 1 from profiles where clerk_id = $1 for update", [life.userId]);
    const update = life.messages[1];
    const answer = sendOnce(update, { url: stack.status.webhookUrl, secret: testSecrets.current }).catch((error) => ({ status: String(error), body: "" }));
    // Wait until the request is inside the database, then kill the function.
    let waiting = false;
    for (let i = 0; i < 200 && !waiting; i++) {
      const { rows } = await db.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%apply_clerk_event%'");
      waiting = rows[0].n > 0;
      if (!waiting) await pause(50);
    }
    expect(waiting, "the request reached the database and waits for the row").toBe(true);
    await stack.parts.functions.get("clerk-webhook")!.kill();
    const killed = await answer;
    expect(killed.status, "the sender sees the connection fail, never a 2xx").toBe(502);
    await holder.query("commit");
    holder.release();

    await stack.parts.functions.get("clerk-webhook")!.start();
    // Postgres finished the statement the dead function sent: the event is committed.
    await expect.poll(async () => (await db.query("select outcome::text from clerk_events where svix_id = $1", [update.id])).rows[0]?.outcome, { timeout: 10_000 }).toBe("applied");
    const retry = await deliver(update, { url: stack.status.webhookUrl, secret: testSecrets.current, timeScale: 0 });
    expect(retry).toMatchObject({ status: 200, body: '{"outcome":"duplicate"}' });
    Object.assign(figures, { events: 2, attempts: 3, answers: { 200: 2, 502: 1 }, mostAttemptsForOneEvent: 2 });
    figures.failedAnswersThatHadCommitted++;
    expect((await db.query("select first_name, event_id from profiles where clerk_id = $1", [life.userId])).rows[0]).toEqual({ first_name: "v1", event_id: update.id });
  }, 60_000);
});

describe("npm run clerk -- replay-failed", () => {
  const cli = (args: string[]) =>
    promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", "replay-failed", ...args], {
      cwd: repoRoot,
      env: { ...process.env, STACK_DIR: stack.status.stateDir, SUPABASE_URL: "", SUPABASE_SERVICE_ROLE_KEY: "" },
    }).then((r) => ({ code: 0, out: r.stdout, err: r.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }));

  it("re-applies failed events once the fix is deployed, and only once", async () => {
    const service = createNodeClient(stack.status.apiUrl, stack.status.serviceRoleKey);
    const poisoned = [`poison_a_${tag}`, `poison_b_${tag}`];
    // As if a migration added a rule that these users' data breaks.
    await db.query(`alter table profiles add constraint test_replay_poison check (username is null or username not in ('${poisoned.join("','")}')) not valid`);
    const a = userJSON({ id: `user_replay${tag}a`, username: poisoned[0], createdAt: Date.UTC(2026, 10, 2) });
    const b = userJSON({ id: `user_replay${tag}b`, username: poisoned[1], createdAt: Date.UTC(2026, 10, 2) });
    const messages = [newMessage(envelope("user.created", a, a.created_at)), newMessage(envelope("user.created", b, b.created_at))];
    // b's later update is fine and lands first: replaying b's create must then be stale.
    const bLater = newMessage(envelope("user.updated", { ...b, username: `fixed_${tag}`, updated_at: b.created_at + 1000 }, b.created_at + 1000));
    for (const message of messages) {
      const response = await sendOnce(message, { url: stack.status.webhookUrl, secret: testSecrets.current });
      expect(response.status).toBe(422);
    }
    expect((await sendOnce(bLater, { url: stack.status.webhookUrl, secret: testSecrets.current })).status).toBe(200);
    // And one failed row whose payload no version of the mappers can read.
    const unreadableId = `msg_unreadable${tag}`;
    await db.query("insert into clerk_events (svix_id, type, event_at, outcome, error, payload) values ($1, 'user.created', now(), 'failed', 'test', $2)", [unreadableId, { type: "user.created", data: { id: 42 } }]);

    // Before the fix: a's create fails again, and says so. b's create is older than
    // b's stored update, so it is stale whatever its data: it is answered from the
    // stored clock, before the row (and so the rule) is ever touched.
    const early = await cli(messages.map((m) => ["--id", m.id]).flat());
    expect(early.code).toBe(1);
    expect(early.out).toContain("2 failed events replayed: ");
    expect(early.out).toContain("1 failed again");
    // ... with the database's own words for why.
    expect(early.out).toMatch(new RegExp(`✗ ${messages[0].id} → failed: 23514: .*test_replay_poison`));
    expect(early.out).toContain("1 stale");
    expect(early.out).toContain(`✓ ${messages[1].id} → stale`);

    await db.query("alter table profiles drop constraint test_replay_poison");
    const fixed = await cli([]);
    expect(fixed.code, fixed.out).toBe(1);
    expect(fixed.out).toContain(`✓ ${messages[0].id} → applied`);
    expect(fixed.out).not.toContain(messages[1].id);
    expect(fixed.out).toContain(`✗ ${unreadableId} → unreadable`);
    expect(fixed.out).toContain("2 failed events replayed: 1 applied, 1 still unreadable.");
    const { rows } = await db.query("select svix_id, outcome::text, attempts from clerk_events where svix_id = any($1)", [messages.map((m) => m.id)]);
    expect(Object.fromEntries(rows.map((r) => [r.svix_id, [r.outcome, r.attempts]]))).toEqual({ [messages[0].id]: ["applied", 3], [messages[1].id]: ["stale", 2] });
    expect((await db.query("select username from profiles where clerk_id = any($1) order by clerk_id", [[a.id, b.id]])).rows).toEqual([{ username: poisoned[0] }, { username: `fixed_${tag}` }]);

    // Again: nothing left to apply, so nothing is applied twice.
    expect(await replayFailed(service)).toEqual({ found: 1, outcomes: {}, unreadable: [{ svixId: unreadableId, error: "data.id must be a string of 1 to 128 characters" }], failedAgain: [], notFailed: [], unknown: [] });
    await db.query("delete from clerk_events where svix_id = $1", [unreadableId]);
    expect((await cli([])).out).toContain("No failed events to replay.");
  }, 60_000);

  it("says that an id it does not know was not found and exits 1; an id that is not a message id is a usage error", async () => {
    const unknown = await cli(["--id", "msg_nonexistent"]);
    expect(unknown.code, unknown.out).toBe(1);
    expect(unknown.out).toContain("✗ msg_nonexistent was not found in the ledger");
    expect(unknown.out).toContain("Nothing replayed: 1 not in the ledger.");
    expect(unknown.out).not.toContain("No failed events");

    const settled = newMessage(envelope("user.created", userJSON({ id: `user_settled${tag}` })));
    expect((await sendOnce(settled, { url: stack.status.webhookUrl, secret: testSecrets.current })).status).toBe(200);
    const notFailed = await cli(["--id", settled.id]);
    expect(notFailed.code, notFailed.out).toBe(0);
    expect(notFailed.out).toContain(`• ${settled.id} is applied, not failed: nothing to replay`);

    const smuggled = await cli(["--id", `zz",${settled.id},"yy`]);
    expect(smuggled.code).toBe(2);
    expect(smuggled.err).toMatch(/is not a message id/);
  }, 60_000);
});

/**
 * Convergence, property-based: whatever order, duplication and concurrency Svix
 * delivers a history in, the database ends up equal to the newest event per user
 * (deletes included), and the ledger accounts for every message exactly once.
 *
 * Runs against the real stack (gateway, Deno function, PostgREST, PostgreSQL).
 * `npm test` runs a fixed seed and a bounded count; `npm run soak` runs it longer and
 * writes the figures to docs/reliability/convergence.json.
 */
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { signedHeaders } from "../../scripts/clerk/delivery.ts";
import { profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { database, testSecrets } from "../support/clients.ts";
import { soak, writeFigures } from "./support/figures.ts";
import { type Attempt, type Bounds, deliveryPlanArbitrary, historyArbitrary, materialize, type SentEvent } from "./support/histories.ts";

const stack = inject("stack");
const db = database(stack);

const seed = Number(process.env.RELIABILITY_SEED ?? 20261122);
const numRuns = soak ? 500 : 60;
const bounds: Bounds = soak
  ? { maxUsers: 10, maxSteps: 10, maxCopies: 4, maxBatch: 12 }
  : { maxUsers: 5, maxSteps: 6, maxCopies: 3, maxBatch: 8 };

// Distinct per process, so a rerun against the same stack never meets earlier rows.
const processTag = Date.now().toString(36).slice(-5);
let run = 0;

const figures = {
  seed,
  numRuns,
  bounds,
  histories: 0,
  users: 0,
  events: 0,
  deliveries: 0,
  duplicateDeliveries: 0,
  concurrentBatches: 0,
  largestBatch: 0,
  ties: 0,
  eventsAfterDelete: 0,
  usersEndingDeleted: 0,
  clockFromData: 0,
  outcomes: { applied: 0, stale: 0, ignored: 0, duplicate: 0 } as Record<string, number>,
  ledgerRowsMissing: 0,
  seconds: 0,
};

async function send(event: SentEvent, attempt: Attempt): Promise<{ status: number; outcome: string }> {
  const at = new Date(Date.now() + attempt.signedAtOffset * 1000);
  const secret = attempt.previousSecret ? testSecrets.previous : testSecrets.current;
  const response = await fetch(stack.webhookUrl, {
    method: "POST",
    headers: signedHeaders(event.message, secret, at, attempt.headerStyle),
    body: event.message.body,
  });
  const body = await response.json() as { outcome?: string; error?: string };
  return { status: response.status, outcome: body.outcome ?? `error: ${body.error}` };
}

/** The newest event per user by (event clock, message id): the order apply_clerk_event keeps. */
function newestPerUser(events: SentEvent[]): Map<string, SentEvent> {
  const newest = new Map<string, SentEvent>();
  for (const event of events) {
    if (!event.userId) continue;
    const current = newest.get(event.userId);
    // Message ids are ASCII, and the database collates C.UTF-8: code-point order.
    if (!current || event.at > current.at || (event.at === current.at && event.message.id > current.message.id)) {
      newest.set(event.userId, event);
    }
  }
  return newest;
}

async function deliverAndCheck(events: SentEvent[], plan: Attempt[][]): Promise<void> {
  const answers = new Map<string, string[]>();
  for (const batch of plan) {
    const results = await Promise.all(batch.map((attempt) => send(events[attempt.event], attempt)));
    batch.forEach((attempt, i) => {
      const id = events[attempt.event].message.id;
      expect(results[i], `delivery of ${id} (${events[attempt.event].type})`).toMatchObject({ status: 200 });
      answers.set(id, [...(answers.get(id) ?? []), results[i].outcome]);
    });
  }

  // The ledger: one row per message, with the outcome of its one non-duplicate answer.
  const ids = events.map((e) => e.message.id);
  const { rows: ledger } = await db.query<{ svix_id: string; outcome: string; attempts: number; duplicates: number; object_id: string | null }>(
    "select svix_id, outcome::text, attempts, duplicates, object_id from clerk_events where svix_id = any($1)",
    [ids],
  );
  const byId = new Map(ledger.map((row) => [row.svix_id, row]));
  figures.ledgerRowsMissing += ids.length - byId.size;
  for (const event of events) {
    const got = answers.get(event.message.id)!;
    const settled = got.filter((outcome) => outcome !== "duplicate");
    expect(settled, `${event.message.id} settles exactly once`).toHaveLength(1);
    expect(byId.get(event.message.id), `${event.message.id} is in the ledger`).toMatchObject({
      outcome: settled[0],
      attempts: 1,
      duplicates: got.length - 1,
      object_id: event.userId ?? expect.anything(),
    });
    if (event.userId) expect(settled[0]).toMatch(/^(applied|stale)$/);
    else expect(settled[0]).toBe("ignored");
    for (const outcome of got) figures.outcomes[outcome] = (figures.outcomes[outcome] ?? 0) + 1;
  }

  // The rows: each user equals its newest event.
  const newest = newestPerUser(events);
  const { rows } = await db.query(
    `select clerk_id, username, first_name, last_name, image_url, email, public_metadata,
            clerk_created_at, clerk_updated_at, event_at, event_id, deleted_at
       from profiles where clerk_id = any($1)`,
    [[...newest.keys()]],
  );
  expect(rows).toHaveLength(newest.size);
  for (const row of rows) {
    const winner = newest.get(row.clerk_id)!;
    expect(byId.get(winner.message.id)!.outcome, `the newest event of ${row.clerk_id} was applied`).toBe("applied");
    const clock = { event_at: new Date(winner.at), event_id: winner.message.id };
    if (winner.user === null) {
      figures.usersEndingDeleted++;
      expect(row).toEqual({
        clerk_id: row.clerk_id, username: null, first_name: null, last_name: null, image_url: null, email: null,
        public_metadata: {}, clerk_created_at: null, clerk_updated_at: null, ...clock, deleted_at: new Date(winner.at),
      });
    } else {
      const expected = profileFromUser(JSON.parse(winner.message.body).data);
      expect(row).toEqual({
        ...expected,
        clerk_created_at: expected.clerk_created_at && new Date(expected.clerk_created_at),
        clerk_updated_at: expected.clerk_updated_at && new Date(expected.clerk_updated_at),
        ...clock,
        deleted_at: null,
      });
    }
  }
}

function count(events: SentEvent[], plan: Attempt[][]): void {
  figures.histories++;
  figures.users += new Set(events.map((e) => e.userId).filter(Boolean)).size;
  figures.events += events.length;
  const attempts = plan.flat();
  figures.deliveries += attempts.length;
  figures.duplicateDeliveries += attempts.length - events.length;
  figures.concurrentBatches += plan.filter((batch) => batch.length > 1).length;
  figures.largestBatch = Math.max(figures.largestBatch, ...plan.map((batch) => batch.length));
  figures.eventsAfterDelete += events.filter((e) => e.afterDelete).length;
  figures.clockFromData += events.filter((e) => !("timestamp" in JSON.parse(e.message.body))).length;
  const clocks = new Map<string, number>();
  for (const e of events) {
    if (e.userId) clocks.set(`${e.userId}@${e.at}`, (clocks.get(`${e.userId}@${e.at}`) ?? 0) + 1);
  }
  figures.ties += [...clocks.values()].filter((n) => n > 1).length;
}

describe("convergence", () => {
  it(`${numRuns} random histories delivered shuffled, duplicated, re-signed and concurrently all converge (seed ${seed})`, async () => {
    const started = Date.now();
    const scenario = historyArbitrary(bounds).chain((history) => {
      const events = history.users.reduce((n, user) => n + 1 + user.steps.length, 0) + history.unknown;
      return deliveryPlanArbitrary(events, bounds).map((plan) => ({ history, plan }));
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ history, plan }) => {
        const events = materialize(history, `${processTag}r${run++}`);
        count(events, plan);
        await deliverAndCheck(events, plan);
      }),
      { seed, numRuns, endOnFailure: true },
    );
    figures.seconds = Math.round((Date.now() - started) / 100) / 10;
    await writeFigures("convergence", figures);
    console.log(`convergence: ${JSON.stringify(figures)}`);
    expect(figures.ledgerRowsMissing).toBe(0);
  }, soak ? 1_800_000 : 120_000);
});

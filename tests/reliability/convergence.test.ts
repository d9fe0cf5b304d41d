/**
 * Convergence, property-based: whatever order, duplication and concurrency Svix
 * delivers a history in, the database ends up equal to the newest event per user,
 * organization and membership (deletes included; a membership also ends with the
 * deletion of its organization or user when that is newer), and the ledger accounts
 * for every message exactly once.
 *
 * Runs against the real stack (gateway, Deno function, PostgREST, PostgreSQL).
 * `npm test` runs a fixed seed and a bounded count; `npm run soak` runs it longer and
 * writes the figures to docs/reliability/convergence.json.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { newMessage, signedHeaders } from "../../scripts/simulator/delivery.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import { columnList, membershipColumns, organizationColumns, profileColumns } from "../../supabase/functions/_shared/columns.ts";
import { membershipFromClerk, organizationFromClerk, profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { database, testSecrets } from "../support/clients.ts";
import { startWebhookFunction } from "../support/function-process.ts";
import { soak, writeFigures } from "./support/figures.ts";
import { type Attempt, type Bounds, deliveryPlanArbitrary, historyArbitrary, materialize, type SentEvent, type Table } from "./support/histories.ts";

const stack = inject("stack");
const db = database(stack);

const seed = Number(process.env.RELIABILITY_SEED ?? 20261122);
const numRuns = soak ? 500 : 60;
const bounds: Bounds = soak
  ? { maxUsers: 10, maxOrgs: 4, maxMemberships: 8, maxSteps: 10, maxCopies: 4, maxBatch: 12 }
  : { maxUsers: 5, maxOrgs: 2, maxMemberships: 4, maxSteps: 6, maxCopies: 3, maxBatch: 8 };

// Distinct per process, so a rerun against the same stack never meets earlier rows.
const processTag = Date.now().toString(36).slice(-5);
let run = 0;

const figures = {
  seed,
  numRuns,
  bounds,
  functionInstances: 2,
  histories: 0,
  users: 0,
  organizations: 0,
  memberships: 0,
  membershipsEndedByParentDeletion: 0,
  events: 0,
  deliveries: 0,
  duplicateDeliveries: 0,
  concurrentBatches: 0,
  largestBatch: 0,
  ties: 0,
  eventsAfterDelete: 0,
  rowsEndingDeleted: 0,
  clockFromData: 0,
  outcomes: { applied: 0, stale: 0, ignored: 0, duplicate: 0 } as Record<string, number>,
  ledgerRowsMissing: 0,
  seconds: 0,
};

/** The stack's function behind the gateway, and a second instance beside it (started in the test). */
const instances: string[] = [stack.webhookUrl];
const logs: Array<() => Promise<string>> = [() => readFile(join(stack.stateDir, "logs/function-clerk-webhook.log"), "utf8")];

/** What the functions logged about a message: the reason behind a 5xx. */
async function logged(svixId: string): Promise<string> {
  const lines = await Promise.all(logs.map((log) => log().catch(() => "")));
  return lines.join("\n").split("\n").filter((line) => line.includes(svixId)).join("\n");
}

async function send(event: SentEvent, attempt: Attempt): Promise<{ status: number; outcome: string }> {
  const at = new Date(Date.now() + attempt.signedAtOffset * 1000);
  const secret = attempt.previousSecret ? testSecrets.previous : testSecrets.current;
  const response = await fetch(instances[attempt.instance], {
    method: "POST",
    headers: signedHeaders(event.message, secret, at, attempt.headerStyle),
    body: event.message.body,
  });
  const body = await response.json() as { outcome?: string; error?: string };
  const outcome = body.outcome ?? `error: ${body.error}${response.status >= 500 ? `; logged: ${await logged(event.message.id)}` : ""}`;
  return { status: response.status, outcome };
}

const newer = (a: SentEvent, b: SentEvent) => a.at > b.at || (a.at === b.at && a.message.id > b.message.id);

/** The newest event per row by (event clock, message id): the order apply_clerk_event keeps. */
function newestPerRow(events: SentEvent[]): Map<string, SentEvent> {
  const newest = new Map<string, SentEvent>();
  for (const event of events) {
    if (!event.table) continue;
    const key = `${event.table}:${event.entityId}`;
    const current = newest.get(key);
    // Message ids are ASCII, and the database collates C.UTF-8: code-point order.
    if (!current || newer(event, current)) newest.set(key, event);
  }
  // A membership also ends with any deletion of its organization or user that is newer
  // than everything the membership itself went through, even if the parent was brought
  // back later: the deletion happened.
  for (const [key, event] of newest) {
    if (event.table !== "organization_memberships") continue;
    const parents = new Set([event.parents!.org, event.parents!.user]);
    for (const ending of events) {
      if (ending.deletes && ending.table !== "organization_memberships" && parents.has(ending.entityId!) && newer(ending, newest.get(key)!)) {
        newest.set(key, ending);
      }
    }
  }
  return newest;
}

const syncedColumns: Record<Table, readonly string[]> = {
  profiles: profileColumns,
  organizations: organizationColumns,
  organization_memberships: membershipColumns,
};

/** A tombstone keeps its keys and empties every other Clerk-owned column: null, or {} / [] where the column is not nullable. */
const tombstones = Object.fromEntries(Object.entries(syncedColumns).map(([table, columns]) => [
  table,
  Object.fromEntries(columns.filter((column) => !["clerk_id", "organization_id", "user_id"].includes(column))
    .map((column) => [column, column === "public_metadata" ? {} : column === "permissions" ? [] : null])),
])) as Record<Table, Record<string, unknown>>;

function liveRow(event: SentEvent): Record<string, unknown> {
  const data = JSON.parse(event.message.body).data;
  const row: Record<string, unknown> = event.table === "profiles" ? profileFromUser(data) : event.table === "organizations" ? organizationFromClerk(data) : membershipFromClerk(data);
  for (const column of ["clerk_created_at", "clerk_updated_at"]) row[column] = row[column] && new Date(row[column] as string);
  return row;
}

const columns: Record<Table, string> = {
  profiles: columnList(profileColumns),
  organizations: columnList(organizationColumns),
  organization_memberships: columnList(membershipColumns),
};

async function deliverAndCheck(events: SentEvent[], plan: Attempt[][]): Promise<void> {
  const answers = new Map<string, string[]>();
  for (const batch of plan) {
    const results = await Promise.all(batch.map((attempt) => send(events[attempt.event], attempt)));
    batch.forEach((attempt, i) => {
      const id = events[attempt.event].message.id;
      expect(results[i], `delivery of ${id} (${events[attempt.event].type}): ${results[i].outcome}`).toMatchObject({ status: 200 });
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
      object_id: event.entityId ?? expect.anything(),
    });
    if (event.table) expect(settled[0]).toMatch(/^(applied|stale)$/);
    else expect(settled[0]).toBe("ignored");
    for (const outcome of got) figures.outcomes[outcome] = (figures.outcomes[outcome] ?? 0) + 1;
  }

  // The rows: each equals its newest event.
  const newest = newestPerRow(events);
  for (const table of Object.keys(columns) as Table[]) {
    const ids = [...new Set(events.filter((e) => e.table === table).map((e) => e.entityId!))];
    const { rows } = await db.query(`select ${columns[table]}, event_at, event_id, deleted_at from ${table} where clerk_id = any($1)`, [ids]);
    expect(rows, `${table} rows`).toHaveLength(ids.length);
    for (const row of rows) {
      const winner = newest.get(`${table}:${row.clerk_id}`)!;
      const clock = { event_at: new Date(winner.at), event_id: winner.message.id };
      if (winner.table === table) {
        expect(byId.get(winner.message.id)!.outcome, `the newest event of ${row.clerk_id} was applied`).toBe("applied");
      } else {
        figures.membershipsEndedByParentDeletion++;
      }
      if (winner.deletes) {
        figures.rowsEndingDeleted++;
        const keys = table === "organization_memberships" ? { organization_id: row.organization_id, user_id: row.user_id } : {};
        expect(row, `${table} ${row.clerk_id} is a tombstone of ${winner.type} ${winner.message.id}`).toEqual({ clerk_id: row.clerk_id, ...keys, ...tombstones[table], ...clock, deleted_at: new Date(winner.at) });
      } else {
        expect(row, `${table} ${row.clerk_id} equals ${winner.type} ${winner.message.id}`).toEqual({ ...liveRow(winner), ...clock, deleted_at: null });
      }
    }
  }
}

function count(events: SentEvent[], plan: Attempt[][]): void {
  figures.histories++;
  const rows = (table: Table) => new Set(events.filter((e) => e.table === table).map((e) => e.entityId)).size;
  figures.users += rows("profiles");
  figures.organizations += rows("organizations");
  figures.memberships += rows("organization_memberships");
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
    if (e.entityId) clocks.set(`${e.entityId}@${e.at}`, (clocks.get(`${e.entityId}@${e.at}`) ?? 0) + 1);
  }
  figures.ties += [...clocks.values()].filter((n) => n > 1).length;
}

describe("convergence", () => {
  it(`${numRuns} random histories delivered shuffled, duplicated, re-signed and concurrently all converge (seed ${seed})`, async () => {
    const second = await startWebhookFunction(stack, { CLERK_WEBHOOK_SIGNING_SECRET: `${testSecrets.current} ${testSecrets.previous}` });
    instances[1] = second.url;
    logs[1] = second.log;
    const started = Date.now();
    const scenario = historyArbitrary(bounds).chain((history) => {
      const events = materialize(history, "count").length;
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

describe("a parent brought back after its delete", () => {
  // The example the property first found: a user.updated newer than the user.deleted
  // (or winning a tie of equal milliseconds) brings the user back, and the membership
  // still ends the same in every order, because the deletion's clock is kept apart from
  // the parent row's (private.clerk_deletions, supabase/schemas/52_apply_memberships.sql).
  it("a membership ends the same whichever order the events arrive in", async () => {
    const ends: unknown[] = [];
    for (const order of [[0, 1, 2, 3], [0, 2, 3, 1]]) {
      const t = Date.UTC(2026, 9, 2);
      const id = `${processTag}back${order.join("")}`;
      const user = userJSON({ id: `user_${id}`, createdAt: t });
      const org = organizationJSON({ id: `org_${id}`, name: "Org", createdBy: user.id, createdAt: t });
      const events = [
        envelope("user.created", user, t),
        envelope("organizationMembership.created", membershipJSON({ id: `orgmem_${id}`, organization: org, user, createdAt: t + 1 }), t + 1),
        envelope("user.deleted", deletedJSON("user", user.id), t + 2),
        envelope("user.updated", { ...user, updated_at: t + 3 }, t + 3),
      ];
      for (const i of order) {
        const message = newMessage(events[i]);
        const response = await fetch(stack.webhookUrl, { method: "POST", headers: signedHeaders(message, testSecrets.current), body: message.body });
        expect(response.status).toBe(200);
      }
      const { rows } = await db.query("select deleted_at is not null as deleted, event_at from organization_memberships where clerk_id = $1", [`orgmem_${id}`]);
      ends.push(rows[0]);
    }
    expect(ends[1]).toEqual(ends[0]);
  });
});

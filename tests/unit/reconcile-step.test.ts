/**
 * The reconcile step's core against an in-memory Clerk and database: the users keyset
 * when rows move between reads, the grace period, the alarm's raise and clear, and the
 * sweep's guard. No server: the step only talks to a ClerkReader and a ReconcileStore.
 */
import { describe, expect, it } from "vitest";
import type { ClerkKind, ClerkObject, ClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { reconcileStep, type StepOptions, type StepReport } from "../../supabase/functions/_shared/reconcile-step.ts";
import { userJSON } from "../../scripts/simulator/payloads.ts";
import { memoryStore } from "../support/memory-reconcile-store.ts";

const minute = 60_000;

/** Clerk as a list of users, read as the Backend API pages it; `beforeRead` may change it between reads. */
function memoryClerk(pageSize: number) {
  const users = new Map<string, ClerkObject>();
  let beforeRead: (() => void) | null = null;
  let requests = 0;
  // Ties in reverse id order: the step must not depend on how Clerk orders them.
  const sorted = () => [...users.values()].sort((a, b) => Number(a.updated_at) - Number(b.updated_at) || (a.id < b.id ? 1 : -1));
  const reader: ClerkReader = {
    pageSize,
    async *pages() {},
    async page(kind: ClerkKind, offset: number) {
      requests++;
      beforeRead?.();
      return kind === "users" ? sorted().slice(offset, offset + pageSize) : [];
    },
    userCount: async () => users.size,
    async existing(_kind, ids) {
      requests++;
      return new Set(ids.filter((id) => users.has(id)));
    },
    membershipsOfUsers: async () => [],
    userMemberships: async () => [],
    user: async (id) => users.get(id) ?? null,
    organization: async () => null,
    organizationMemberships: async () => [],
  };
  return {
    reader,
    users,
    get requests() {
      return requests;
    },
    onRead(hook: (() => void) | null) {
      beforeRead = hook;
    },
  };
}

function addUsers(clerk: ReturnType<typeof memoryClerk>, count: number, at: number, prefix = "u") {
  return Array.from({ length: count }, (_, i) => {
    const user = userJSON({ firstName: `${prefix}${i}`, createdAt: at + i }) as unknown as ClerkObject;
    clerk.users.set(user.id, user);
    return user;
  });
}

async function untilCaughtUp(options: StepOptions, limit = 100): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < limit; i++) {
    const result = await reconcileStep(i === 0 ? options : { ...options, sweepNow: false });
    if (!result.ran) throw new Error("lease held");
    reports.push(result.report);
    if (result.report.stopped === "caught_up") return reports;
  }
  throw new Error("not caught up");
}

const base = (clerk: ReturnType<typeof memoryClerk>, db: ReturnType<typeof memoryStore>): StepOptions => ({
  run: "reconcile",
  holder: "unit",
  reader: clerk.reader,
  store: db.store,
  kinds: ["users"],
  graceMs: minute,
  maxRequests: 3,
});

describe("the users keyset", () => {
  it("walks every user once across bounded steps, however the budget cuts it", async () => {
    const clerk = memoryClerk(10);
    const db = memoryStore();
    const users = addUsers(clerk, 95, Date.now() - 30 * minute);
    const reports = await untilCaughtUp(base(clerk, db));
    expect(reports.length).toBeGreaterThan(1);
    expect(new Set(db.applied).size).toBe(95);
    expect(db.applied).toHaveLength(95);
    expect([...db.rows.keys()].sort()).toEqual(users.map((u) => u.id).sort());
  });

  it("misses no user when rows before the cursor are deleted or updated between reads", async () => {
    const clerk = memoryClerk(10);
    const db = memoryStore();
    const at = Date.now() - 30 * minute;
    const users = addUsers(clerk, 60, at);
    let reads = 0;
    // After every read, a user before the cursor leaves (deleted) and another one changes (moves to the end, still older than the grace period).
    clerk.onRead(() => {
      reads++;
      if (reads % 2 === 0) {
        const first = [...clerk.users.values()].sort((a, b) => Number(a.updated_at) - Number(b.updated_at))[0];
        clerk.users.delete(first.id);
      } else {
        const [second] = [...clerk.users.values()].sort((a, b) => Number(a.updated_at) - Number(b.updated_at)).slice(1, 2);
        clerk.users.set(second.id, { ...second, updated_at: at + 10 * minute + reads });
      }
    });
    await untilCaughtUp({ ...base(clerk, db), maxRequests: 100 });
    clerk.onRead(null);
    // Every user Clerk still has is here, at its latest version.
    for (const user of clerk.users.values()) {
      expect(db.rows.get(user.id)?.clerk_updated_at, user.id).toBe(new Date(Number(user.updated_at)).toISOString());
    }
    expect(users.length).toBe(60);
  });

  it("applies users of the same updated_at once each, whatever page boundary splits them", async () => {
    const clerk = memoryClerk(4);
    const db = memoryStore();
    const at = Date.now() - 30 * minute;
    for (let i = 0; i < 11; i++) {
      const user = userJSON({ firstName: `tie${i}`, createdAt: at }) as unknown as ClerkObject;
      clerk.users.set(user.id, user);
    }
    await untilCaughtUp({ ...base(clerk, db), maxRequests: 1 });
    expect(db.applied).toHaveLength(11);
    expect(new Set(db.applied).size).toBe(11);
  });

  it("leaves changes younger than the grace period to the webhooks, then takes them once they are older", async () => {
    const clerk = memoryClerk(10);
    const db = memoryStore();
    const now = Date.now();
    addUsers(clerk, 3, now - 30 * minute);
    const [young] = addUsers(clerk, 1, now - 10_000, "young");
    const [first] = await untilCaughtUp({ ...base(clerk, db), now: () => now });
    expect(first.kinds.users).toMatchObject({ repaired: 3, deferred: 1 });
    expect(db.rows.has(young.id)).toBe(false);
    const [later] = await untilCaughtUp({ ...base(clerk, db), now: () => now + 2 * minute });
    expect(later.kinds.users).toMatchObject({ repaired: 1, deferred: 0 });
  });
});

describe("the webhooks-missing alarm", () => {
  it("is raised when a step repairs changes it saw, with the first missing change, and cleared when the next changes are already here", async () => {
    const clerk = memoryClerk(10);
    const db = memoryStore();
    const at = Date.now() - 30 * minute;
    const users = addUsers(clerk, 10, at);
    // Nine of ten webhooks arrived.
    const delivered = users.filter((_, i) => i !== 4);
    await db.store.apply(delivered.map((u) => ({ svix_id: `msg_${u.id}`, type: "user.created", event_at: new Date(Number(u.updated_at)).toISOString(), object_id: u.id, instance_id: null, payload: {}, change: { table: "profiles", op: "upsert", row: { clerk_id: u.id } as never } })));
    await untilCaughtUp(base(clerk, db));
    expect(db.state().alarm).toEqual({ users: { since: new Date(Number(users[4].updated_at)).toISOString(), detected_at: expect.any(String), repaired: 1 } });

    // A quiet step (nothing changed) keeps the alarm: no news is not good news.
    await untilCaughtUp(base(clerk, db));
    expect(db.state().alarm?.users).toBeDefined();

    // Webhooks flow again: the next change is here before the step looks.
    const changed = { ...users[0], first_name: "Again", updated_at: at + 5 * minute };
    clerk.users.set(changed.id, changed);
    await db.store.apply([{ svix_id: "msg_again", type: "user.updated", event_at: new Date(Number(changed.updated_at)).toISOString(), object_id: changed.id, instance_id: null, payload: {}, change: { table: "profiles", op: "upsert", row: { clerk_id: changed.id } as never } }]);
    await untilCaughtUp(base(clerk, db));
    expect(db.state().alarm).toEqual({});
  });

  it("is never raised by a backfill or a dry run", async () => {
    const clerk = memoryClerk(10);
    const db = memoryStore();
    addUsers(clerk, 5, Date.now() - 30 * minute);
    await untilCaughtUp({ ...base(clerk, db), run: "backfill" });
    expect(db.state().alarm ?? {}).toEqual({});
  });
});

describe("the deletion sweep", () => {
  it("checks 100 rows per request, and tombstones what Clerk no longer has at the end of the pass", async () => {
    const clerk = memoryClerk(100);
    const db = memoryStore();
    const users = addUsers(clerk, 450, Date.now() - 30 * minute);
    await untilCaughtUp({ ...base(clerk, db), maxRequests: 10 });
    for (const user of users.slice(0, 20)) clerk.users.delete(user.id);
    const before = clerk.requests;
    const reports = await untilCaughtUp({ ...base(clerk, db), maxRequests: 2, graceMs: 0, sweepEveryMs: 1, sweepNow: true });
    const checked = reports.reduce((n, r) => n + (r.sweep?.checked ?? 0), 0);
    expect(checked).toBe(450);
    // Each step also reads one users page; the existence checks are one per 100 rows.
    expect(clerk.requests - before - reports.length).toBe(Math.ceil(450 / 100));
    const tombstoned = reports.flatMap((r) => r.sweep?.tombstoned.users ?? []);
    expect(tombstoned.sort()).toEqual(users.slice(0, 20).map((u) => u.id).sort());
  });

  it("tombstones nothing of a kind when more rows are gone than the guard allows", async () => {
    const clerk = memoryClerk(100);
    const db = memoryStore();
    const users = addUsers(clerk, 200, Date.now() - 30 * minute);
    await untilCaughtUp({ ...base(clerk, db), maxRequests: 10 });
    for (const user of users.slice(0, 21)) clerk.users.delete(user.id);
    const reports = await untilCaughtUp({ ...base(clerk, db), maxRequests: 10, graceMs: 0, sweepEveryMs: 1, sweepNow: true });
    expect(reports.at(-1)!.sweep!.refused).toEqual({ users: { gone: 21, limit: 20, live: 200 } });
    expect([...db.rows.values()].filter((r) => r.deleted_at !== null)).toHaveLength(0);
  });

  it("waits out the grace period before it tombstones: the user.deleted may be on its way", async () => {
    const clerk = memoryClerk(100);
    const db = memoryStore();
    const now = Date.now();
    const [gone] = addUsers(clerk, 5, now - 30 * minute);
    await untilCaughtUp({ ...base(clerk, db), now: () => now });
    clerk.users.delete(gone.id);
    const first = await reconcileStep({ ...base(clerk, db), now: () => now, sweepEveryMs: 1, sweepNow: true });
    expect(first.ran && first.report.stopped).toBe("budget");
    expect(db.rows.get(gone.id)!.deleted_at).toBeNull();
    const later = await untilCaughtUp({ ...base(clerk, db), now: () => now + 2 * minute, sweepEveryMs: 1 });
    expect(later.at(-1)!.sweep!.tombstoned.users).toEqual([gone.id]);
  });
});

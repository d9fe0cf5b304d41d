/**
 * Reconcile after webhooks were dropped. Reconcile tombstones whatever this database
 * holds and Clerk does not, so it runs on a stack of its own: on the shared one it
 * would see every other test file's users as gone.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { createClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { supabaseReconcileStore } from "../../supabase/functions/_shared/reconcile-store.ts";
import { type KindSummary, runFromClerk, TooManyDeletesError } from "../../scripts/ops/backfill.ts";
import { type FakeClerkApi, startFakeClerkApi } from "../../scripts/simulator/fake-api.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import type { ClerkState } from "../../scripts/simulator/state.ts";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { newMessage, post, serviceClient } from "../support/clients.ts";
import { startTestStack } from "../support/test-stack.ts";

const t0 = Date.UTC(2026, 8, 1, 9, 0, 0);
let stack: RunningStack;
let api: FakeClerkApi;
const clerk: ClerkState = { users: {}, organizations: {}, memberships: {} };

beforeAll(async () => {
  stack = await startTestStack();
  api = await startFakeClerkApi({ state: () => clerk });
});
afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

const service = () => serviceClient(stack.status);
const reader = (): ClerkReader => createClerkReader({ secretKey: api.secretKey, apiUrl: api.url, pageSize: 4, maxAttempts: 1, maxRateLimitWaits: 0 });
const store = () => supabaseReconcileStore(service());
const sorted = (ids: string[]) => [...ids].sort();
/** Per kind: what was upserted and tombstoned, by id. */
const changes = (reports: KindSummary[]) => reports.map(({ kind, upserted, tombstoned }) => ({ kind, upserted: sorted(upserted), tombstoned: sorted(tombstoned) }));

/** Changes Clerk and delivers the webhook, as in production. */
async function delivered(type: string, data: object, at: number) {
  const { status, body } = await post(stack.status, newMessage(envelope(type, data, at)));
  expect(status, JSON.stringify(body)).toBe(200);
}

/** Everything the sync wrote, to compare before and after a dry run. */
async function snapshot() {
  const read = async (table: "profiles" | "organizations" | "organization_memberships") => {
    const { data, error } = await service().from(table).select("*").order("clerk_id");
    if (error) throw error;
    return data;
  };
  const { count } = await service().from("clerk_events").select("*", { count: "exact", head: true });
  return { profiles: await read("profiles"), organizations: await read("organizations"), memberships: await read("organization_memberships"), ledger: count };
}

type Synced = "profiles" | "organizations" | "organization_memberships";
async function row<T extends Synced>(table: T, id: string) {
  const { data, error } = await service().from(table as Synced).select("*").eq("clerk_id", id).maybeSingle();
  if (error) throw error;
  return data as Database["public"]["Tables"][T]["Row"] | null;
}

const users = Array.from({ length: 8 }, (_, i) => userJSON({ firstName: `Person${i}`, lastName: "Synced", username: `rc${i}`, createdAt: t0 + i * 1000 }));
const [ada, bob, cleo, dan, eve] = users;
const acme = organizationJSON({ name: "Acme", createdBy: ada.id, createdAt: t0 });
const globex = organizationJSON({ name: "Globex", createdBy: bob.id, createdAt: t0 });
const memberships = [
  membershipJSON({ organization: acme, user: ada, role: "org:admin", createdAt: t0 + 100 }),
  membershipJSON({ organization: acme, user: dan, createdAt: t0 + 200 }),
  membershipJSON({ organization: globex, user: bob, role: "org:admin", createdAt: t0 + 300 }),
];

describe("reconcile after dropped webhooks", () => {
  const later = t0 + 3600_000;
  const newcomer = userJSON({ firstName: "New", lastName: "Comer", username: "newcomer", createdAt: later });
  const eveJoins = membershipJSON({ organization: acme, user: eve, createdAt: later });

  beforeAll(async () => {
    // In step: every change reached both Clerk and the webhook.
    for (const user of users) {
      clerk.users[user.id] = user;
      await delivered("user.created", user, user.created_at);
    }
    for (const org of [acme, globex]) {
      clerk.organizations[org.id] = org;
      await delivered("organization.created", org, org.created_at);
    }
    for (const m of memberships) {
      clerk.memberships[m.id] = m;
      await delivered("organizationMembership.created", m, m.created_at);
    }

    // Then these webhooks were lost: Clerk changed, the database did not hear.
    clerk.users[newcomer.id] = newcomer; // created
    clerk.users[bob.id] = { ...bob, first_name: "Robert", updated_at: later }; // renamed
    delete clerk.users[cleo.id]; // deleted
    clerk.organizations[acme.id] = { ...acme, name: "Acme Corporation", updated_at: later }; // renamed
    delete clerk.organizations[globex.id]; // deleted, with its membership
    delete clerk.memberships[memberships[2].id];
    delete clerk.memberships[memberships[1].id]; // Dan left Acme
    clerk.memberships[eveJoins.id] = eveJoins; // Eve joined Acme
  });

  it("a dry run reports the difference both ways and changes nothing", async () => {
    const before = await snapshot();
    const reports = await runFromClerk({ reader: reader(), store: store(), mode: "reconcile", dryRun: true });

    // The ids it would change, both ways: what the webhooks missed.
    expect(changes(reports)).toEqual([
      { kind: "users", upserted: sorted([newcomer.id, bob.id]), tombstoned: [cleo.id] },
      { kind: "organizations", upserted: [acme.id], tombstoned: [globex.id] },
      { kind: "memberships", upserted: [eveJoins.id], tombstoned: sorted([memberships[1].id, memberships[2].id]) },
    ]);
    expect(reports.map(({ kind, read, unchanged, checked }) => ({ kind, read, unchanged, checked }))).toEqual([
      { kind: "users", read: 8, unchanged: 6, checked: 8 },
      { kind: "organizations", read: 1, unchanged: 0, checked: 2 },
      { kind: "memberships", read: 2, unchanged: 1, checked: 3 },
    ]);
    expect(reports.every((r) => Object.values(r.outcomes).every((n) => n === 0))).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("the command line's dry run prints the summary, every id it would change, and changes nothing", async () => {
    const before = await snapshot();
    const { stdout } = await promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", "reconcile", "--dry-run"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        SUPABASE_URL: stack.status.apiUrl,
        SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey,
        CLERK_API_URL: api.url,
        CLERK_SECRET_KEY: api.secretKey,
      },
    });
    expect(stdout).toMatch(/^users\s+8\s+2\s+6\s+8\s+1\s+0$/m);
    expect(stdout).toContain(`would upsert     users ${newcomer.id}`);
    expect(stdout).toContain(`would tombstone  memberships ${memberships[1].id}`);
    expect(stdout).toContain("Dry run: would upsert 4 and tombstone 4. Nothing was changed.");
    expect(stdout.split("\n").filter((line) => line.startsWith("  would ")).sort()).toEqual([
      `  would tombstone  memberships ${memberships[1].id}`,
      `  would tombstone  memberships ${memberships[2].id}`,
      `  would tombstone  organizations ${globex.id}`,
      `  would tombstone  users ${cleo.id}`,
      `  would upsert     memberships ${eveJoins.id}`,
      `  would upsert     users ${newcomer.id}`,
      `  would upsert     organizations ${acme.id}`,
      `  would upsert     users ${bob.id}`,
    ].sort());
    expect(await snapshot()).toEqual(before);
  });

  it("repairs what was missed, tombstones what is gone, and a second run finds nothing", async () => {
    const startedAt = Date.now();
    const reports = await runFromClerk({ reader: reader(), store: store(), mode: "reconcile" });
    expect(reports.map((r) => [r.kind, r.outcomes.applied, r.outcomes.failed, r.invalid.length])).toEqual([
      ["users", 2, 0, 0],
      ["organizations", 1, 0, 0],
      ["memberships", 1, 0, 0],
    ]);
    // Globex's membership went with Globex: only Dan's was left to tombstone.
    expect(changes(reports)).toEqual([
      { kind: "users", upserted: sorted([newcomer.id, bob.id]), tombstoned: [cleo.id] },
      { kind: "organizations", upserted: [acme.id], tombstoned: [globex.id] },
      { kind: "memberships", upserted: [eveJoins.id], tombstoned: [memberships[1].id] },
    ]);

    expect(await row("profiles", newcomer.id)).toMatchObject({ first_name: "New", deleted_at: null });
    expect(await row("profiles", bob.id)).toMatchObject({ first_name: "Robert", deleted_at: null });
    const gone = await row("profiles", cleo.id);
    expect(gone).toMatchObject({ first_name: null, email: null });
    expect(Date.parse(gone!.deleted_at!)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(await row("organizations", acme.id)).toMatchObject({ name: "Acme Corporation", deleted_at: null });
    expect((await row("organizations", globex.id))!.deleted_at).not.toBeNull();
    expect((await row("organization_memberships", memberships[1].id))!.deleted_at).not.toBeNull();
    expect((await row("organization_memberships", memberships[2].id))!.deleted_at).not.toBeNull();
    expect(await row("organization_memberships", eveJoins.id)).toMatchObject({ user_id: eve.id, deleted_at: null });

    const { data: ledger } = await service().from("clerk_events").select("svix_id, type, source").like("svix_id", `reconcile:${cleo.id}:%`);
    expect(ledger).toEqual([{ svix_id: expect.stringMatching(new RegExp(`^reconcile:${cleo.id}:gone:\\d+$`)), type: "user.deleted", source: "reconcile" }]);

    const again = await runFromClerk({ reader: reader(), store: store(), mode: "reconcile" });
    expect(again.map((r) => [r.kind, r.upserted.length + r.tombstoned.length, r.outcomes.applied])).toEqual([
      ["users", 0, 0],
      ["organizations", 0, 0],
      ["memberships", 0, 0],
    ]);
  });

  it("a late webhook from before a reconcile's tombstone stays stale", async () => {
    // Cleo's user.deleted (and an update before it) finally arrive.
    await delivered("user.updated", { ...cleo, first_name: "Ghost", updated_at: later }, later);
    await delivered("user.deleted", deletedJSON("user", cleo.id), later + 1);
    expect((await row("profiles", cleo.id))!.first_name).toBeNull();
  });

  it("does not tombstone a user the listing missed but Clerk still has", async () => {
    // Offset pages shift when users are deleted mid-run; here the listing skips Ada. The
    // sweep asks Clerk about each row by id, so a listing never decides what is gone.
    const real = reader();
    const skipping: ClerkReader = {
      ...real,
      page: async (kind, offset, orderBy) => (await real.page(kind, offset, orderBy)).filter((o) => o.id !== ada.id),
    };
    const [report] = await runFromClerk({ reader: skipping, store: store(), mode: "reconcile", kinds: ["users"] });
    expect(report).toMatchObject({ tombstoned: [], checked: 8 });
    expect((await row("profiles", ada.id))!.deleted_at).toBeNull();
  });

  it("refuses to tombstone more than the limit, so a wrong instance's key cannot empty the table", async () => {
    const empty = await startFakeClerkApi({ state: () => ({ users: {}, organizations: {}, memberships: {} }) });
    try {
      const wrongInstance = createClerkReader({ secretKey: empty.secretKey, apiUrl: empty.url, maxAttempts: 1, maxRateLimitWaits: 0 });
      const run = runFromClerk({ reader: wrongInstance, store: store(), mode: "reconcile", kinds: ["users"], maxDeletes: 3 });
      await expect(run).rejects.toThrow(TooManyDeletesError);
      await expect(run).rejects.toThrow("reconcile would tombstone 8 of 8 users, more than the limit of 3.");
    } finally {
      await empty.stop();
    }
    expect((await row("profiles", ada.id))!.deleted_at).toBeNull();
  });
});

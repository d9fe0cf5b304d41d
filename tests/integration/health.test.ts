/**
 * Sync health and ledger retention. The numbers are about the whole ledger, so this
 * file runs on a stack of its own and its tests run in order: empty, healthy, stalled,
 * failing, then pruned.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfillEvent } from "../../supabase/functions/_shared/backend-events.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";
import { createNodeClient } from "../../scripts/lib/supabase.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import { clerkId, devToken, newMessage, post, serviceClient, userClient } from "../support/clients.ts";
import { insertOldLedgerRow } from "../support/ledger.ts";
import { startTestStack } from "../support/test-stack.ts";

let stack: RunningStack;
let db: pg.Pool;

beforeAll(async () => {
  stack = await startTestStack();
  db = new pg.Pool({ connectionString: stack.status.dbUrl, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

// What anyone with the anon key learns: no ledger size (that is the admins'); the failed
// count (up to 1,000), and the reconcile's alarm and when it last vouched for the data.
const healthKeys = ["checked_at", "failed_count", "last_event_age_seconds", "last_event_received_at", "quiet", "reconcile_last_step_at", "stale_after_seconds", "status", "webhooks_missing"];

/** Ledger rows, all of them or by outcome, counted in the database (sync_health does not say the size). */
async function ledgerRows(outcome?: string): Promise<number> {
  const { rows } = await db.query("select count(*)::int as n from clerk_events where $1::text is null or outcome::text = $1", [outcome ?? null]);
  return rows[0].n;
}

/** GET /rest/v1/rpc/sync_health with the anon key, as an uptime monitor would. */
async function health(staleAfterSeconds?: number) {
  const query = staleAfterSeconds === undefined ? "" : `?stale_after_seconds=${staleAfterSeconds}`;
  const response = await fetch(`${stack.status.apiUrl}/rest/v1/rpc/sync_health${query}`, { headers: { apikey: stack.status.anonKey } });
  return { status: response.status, body: await response.json() };
}

async function report(client: ReturnType<typeof createNodeClient>, args: { window_minutes?: number; stale_after_seconds?: number } = {}) {
  return await client.rpc("sync_health_report", args);
}

async function adminClient() {
  const admin = userJSON({ firstName: "Ada", lastName: "Admin" });
  const token = await devToken(stack.status, admin.id, { claims: { metadata: { role: "admin" } } });
  return createNodeClient(stack.status.apiUrl, stack.status.anonKey, async () => token);
}

/** A webhook event whose data breaks a constraint: recorded as failed. */
async function failedEvent(svixId = clerkId("msg")) {
  const { data, error } = await serviceClient(stack.status).rpc("apply_clerk_event", {
    event: { svix_id: svixId, type: "user.updated", event_at: new Date().toISOString(), change: { table: "profiles", op: "upsert", row: { clerk_id: "x".repeat(200) } } },
  });
  expect(error).toBeNull();
  expect(data).toBe("failed");
  return svixId;
}

describe("the public health endpoint", () => {
  it("is stalled (503) while no webhook has ever arrived", async () => {
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toEqual({ status: "stalled", last_event_received_at: null, last_event_age_seconds: null, stale_after_seconds: 3600, failed_count: 0, quiet: false, webhooks_missing: null, reconcile_last_step_at: null, checked_at: expect.any(String) });
    expect(await ledgerRows()).toBe(0);
  });

  it("is ok (200) after a webhook, with only numbers in it", async () => {
    const user = userJSON({ firstName: "Grace", lastName: "Hopper" });
    expect((await post(stack.status, newMessage(envelope("user.created", user)))).status).toBe(200);
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(healthKeys);
    expect(body).toMatchObject({ status: "ok", failed_count: 0 });
    expect(await ledgerRows()).toBe(1);
    expect(body.last_event_age_seconds).toBeLessThan(30);
    expect(JSON.stringify(body)).not.toContain(user.id);
  });

  it("does not count backfilled rows as webhooks: a backfill cannot hide a stalled sync", async () => {
    const before = (await health()).body.last_event_received_at;
    const user = userJSON({ firstName: "Old", lastName: "User", createdAt: Date.UTC(2025, 0, 1) });
    const { data } = await serviceClient(stack.status).rpc("apply_clerk_event", { event: backfillEvent("users", user as never) as never });
    expect(data).toBe("applied");
    const after = await health();
    expect(after.body).toMatchObject({ last_event_received_at: before });
    expect(await ledgerRows()).toBe(2);
  });

  it("is stalled (503) once the last webhook is older than stale_after_seconds", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { status, body } = await health(1);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "stalled", stale_after_seconds: 1 });
    expect(body.last_event_age_seconds).toBeGreaterThan(1);
  });

  it("refuses a stale_after_seconds below 1", async () => {
    const { status, body } = await health(0);
    expect(status).toBe(400);
    expect(body.code).toBe("22023");
  });

  it("is failing (503) while a failed event waits for a replay", async () => {
    await failedEvent();
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "failing", failed_count: 1 });
    expect(Object.keys(body).sort()).toEqual(healthKeys);
    expect(await ledgerRows("failed")).toBe(1);
  });
});

describe("the admins' health report", () => {
  it("is refused to visitors and to signed-in users without the admin claim", async () => {
    const anonymous = await report(createNodeClient(stack.status.apiUrl, stack.status.anonKey));
    expect(anonymous.error?.code).toBe("42501");

    for (const claims of [{}, { metadata: { role: "member" } }, { metadata: "admin" }, { role_name: "admin" }]) {
      const client = await userClient(stack.status, userJSON().id, { claims });
      const { data, error } = await report(client);
      expect(error?.code, JSON.stringify(claims)).toBe("42501");
      expect(error?.message).toContain("metadata.role = admin");
      expect(data).toBeNull();
    }
  });

  it("shows an admin events per minute by outcome, lag, the last event and the failed events", async () => {
    const failed = await failedEvent();
    // Then two webhooks whose events happened 5 s before they were delivered.
    const happened = Date.now() - 5000;
    for (const name of ["Lag", "Lag"]) {
      const { body } = await post(stack.status, newMessage(envelope("user.created", userJSON({ firstName: name }), happened)));
      expect(body).toEqual({ outcome: "applied" });
    }

    const { data, error } = await report(await adminClient(), { window_minutes: 5 });
    expect(error).toBeNull();
    const result = data as Record<string, any>;
    expect(result).toMatchObject({ window_minutes: 5, stale_after_seconds: 3600, stalled: false, failed_count: 2, ledger_rows: 6, api_rows_in_window: { backfill: 1, reconcile: 0 } });
    expect(result.ledger_bytes).toBeGreaterThan(0);
    expect(Date.parse(result.last_event_at)).toBe(happened);
    expect(result.lag_seconds.last).toBeGreaterThanOrEqual(5);
    expect(result.lag_seconds.max).toBeGreaterThanOrEqual(5);
    expect(result.lag_seconds.max).toBeLessThan(60);

    expect(result.per_minute).toHaveLength(5);
    const totals = result.per_minute.reduce((sum: Record<string, number>, m: Record<string, number>) => {
      for (const outcome of ["applied", "stale", "ignored", "failed"]) sum[outcome] = (sum[outcome] ?? 0) + m[outcome];
      return sum;
    }, {});
    expect(totals).toEqual({ applied: 3, stale: 0, ignored: 0, failed: 2 });
    expect(result.per_minute.map((m: { minute: string }) => Date.parse(m.minute))).toEqual([...result.per_minute.map((m: { minute: string }) => Date.parse(m.minute))].sort());

    expect(result.failed[0]).toMatchObject({ svix_id: failed, type: "user.updated", source: "webhook", attempts: 1, error: expect.stringMatching(/^23514: /) });
    expect(Object.keys(result.failed[0])).not.toContain("payload");
  });

  it("answers the service role too, and refuses a window outside 1 to 1440 minutes", async () => {
    const service = serviceClient(stack.status);
    expect((await report(service)).error).toBeNull();
    expect((await report(service, { window_minutes: 0 })).error?.code).toBe("22023");
    expect((await report(service, { window_minutes: 1441 })).error?.code).toBe("22023");
  });

  it("says stalled when no webhook arrived within stale_after_seconds", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { data } = await report(await adminClient(), { stale_after_seconds: 1 });
    expect(data).toMatchObject({ stalled: true, stale_after_seconds: 1 });
  });
});

describe("ledger retention", () => {
  /** A ledger row received `daysAgo` days ago, with a payload. */
  const oldRow = (daysAgo: number, outcome?: "applied" | "failed") => insertOldLedgerRow(db, daysAgo, outcome);

  async function ledgerRow(id: string) {
    const { rows } = await db.query("select outcome, payload is not null as has_payload from clerk_events where svix_id = $1", [id]);
    return rows[0] ?? null;
  }

  it("clears payloads older than the limit, keeps newer ones and every failed event", async () => {
    const old = await oldRow(40);
    const recent = await oldRow(10);
    const oldFailure = await oldRow(40, "failed");
    const { data, error } = await serviceClient(stack.status).rpc("prune_clerk_events", { payloads_older_than: "30 days" });
    expect(error).toBeNull();
    expect(data).toEqual({ payloads_cleared: 1, rows_deleted: 0 });
    expect(await ledgerRow(old)).toEqual({ outcome: "applied", has_payload: false });
    expect(await ledgerRow(recent)).toEqual({ outcome: "applied", has_payload: true });
    expect(await ledgerRow(oldFailure)).toEqual({ outcome: "failed", has_payload: true });
  });

  it("deletes rows older than rows_older_than, never failed ones, and never younger than 2 days", async () => {
    const ancient = await oldRow(200);
    const ancientFailure = await oldRow(200, "failed");
    const service = serviceClient(stack.status);
    const { data } = await service.rpc("prune_clerk_events", { payloads_older_than: "30 days", rows_older_than: "180 days" });
    expect(data).toEqual({ payloads_cleared: 0, rows_deleted: 1 });
    expect(await ledgerRow(ancient)).toBeNull();
    expect(await ledgerRow(ancientFailure)).toMatchObject({ outcome: "failed" });

    const { error } = await service.rpc("prune_clerk_events", { rows_older_than: "1 day" });
    expect(error?.code).toBe("22023");
    expect(error?.message).toContain("at least 2 days");
  });

  it("is for the service role only", async () => {
    const admin = await adminClient();
    expect((await admin.rpc("prune_clerk_events", {})).error?.code).toBe("42501");
    expect((await createNodeClient(stack.status.apiUrl, stack.status.anonKey).rpc("prune_clerk_events", {})).error?.code).toBe("42501");
  });

  it("runs from the command line: npm run clerk -- prune-ledger --older-than 30d", async () => {
    const old = await oldRow(45);
    const { stdout } = await promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", "prune-ledger", "--older-than", "30d"], {
      cwd: repoRoot,
      env: { ...process.env, SUPABASE_URL: stack.status.apiUrl, SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey },
    });
    expect(stdout).toContain("Cleared 1 payloads older than 30d; deleted 0 rows. Failed events were kept.");
    expect(await ledgerRow(old)).toEqual({ outcome: "applied", has_payload: false });
  });
});

describe("discarding failed events that can never succeed", () => {
  const clerk = (args: string[]) =>
    promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", ...args], {
      cwd: repoRoot,
      env: { ...process.env, SUPABASE_URL: stack.status.apiUrl, SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey },
    }).then((r) => ({ code: 0, out: r.stdout, err: r.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }));

  async function failedIds(): Promise<string[]> {
    return (await db.query("select svix_id from clerk_events where outcome = 'failed' order by svix_id")).rows.map((row) => row.svix_id);
  }

  it("npm run clerk -- discard-failed --dry-run lists them and changes nothing: still failing", async () => {
    const ids = await failedIds();
    expect(ids.length).toBeGreaterThan(0);
    const { code, out } = await clerk(["discard-failed", "--dry-run", ...ids.flatMap((id) => ["--id", id])]);
    expect(code, out).toBe(0);
    expect(out).toContain("Dry run: nothing will change.");
    for (const id of ids) expect(out).toContain(`• would discard ${id} (`);
    expect(out).toContain(`Would discard ${ids.length} of ${ids.length} events.`);
    expect(await failedIds()).toEqual(ids);
    expect(await health()).toMatchObject({ status: 503, body: { status: "failing" } });
    expect(await ledgerRows("failed")).toBe(ids.length);
  });

  it("discards them, recorded in the ledger and audited, and sync_health is ok (200) again", async () => {
    const ids = await failedIds();
    const { code, out } = await clerk(["discard-failed", "--reason", "poison from the tests", ...ids.flatMap((id) => ["--id", id])]);
    expect(code, out).toBe(0);
    for (const id of ids) expect(out).toMatch(new RegExp(`✓ discarded ${id} \\(.*\\), recorded as discarded by cli:`));
    expect(await failedIds()).toEqual([]);
    const { rows } = await db.query("select svix_id, outcome::text, discarded_by, discarded_at is not null as dated from clerk_events where svix_id = any($1) order by svix_id", [ids]);
    expect(rows).toEqual(ids.map((svix_id) => ({ svix_id, outcome: "discarded", discarded_by: expect.stringMatching(/^cli:/), dated: true })));
    const audit = await db.query("select svix_id, action, reason from clerk_event_audit where svix_id = any($1) order by svix_id", [ids]);
    expect(audit.rows).toEqual(ids.map((svix_id) => ({ svix_id, action: "discard", reason: "poison from the tests" })));
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await ledgerRows("failed")).toBe(0);
  });

  it("says an unknown id was not found (exit 1), refuses an id that is not one and a missing --id (exit 2)", async () => {
    const unknown = await clerk(["discard-failed", "--id", "msg_nonexistent"]);
    expect(unknown.code, unknown.out).toBe(1);
    expect(unknown.out).toContain("✗ msg_nonexistent was not found in the ledger");
    const settled = await clerk(["discard-failed", "--id", (await db.query("select svix_id from clerk_events where outcome = 'discarded' limit 1")).rows[0].svix_id]);
    expect(settled.code, settled.out).toBe(0);
    expect(settled.out).toMatch(/is discarded, not failed: nothing to discard/);
    expect((await clerk(["discard-failed", "--id", 'zz",msg_x,"yy'])).code).toBe(2);
    const none = await clerk(["discard-failed"]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("discard-failed needs --id");
  });
});

/**
 * public.discard_failed_event: giving up on a failed event for good. Who may, what the
 * ledger and clerk_event_audit then say, and that sync_health stops counting it.
 */
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { apply, at, clerkId, ledgerRow, svixId, useDatabase, userUpserted } from "./support/events.ts";

const db = useDatabase();

/** A user.created the database refuses (a clock that is not a time): failed, payload kept. */
async function failedEvent(): Promise<string> {
  const e = userUpserted(clerkId("user"), at(1), { clerk_created_at: "not a time" });
  expect(await apply(db, e), "private.apply_event").toBe("failed");
  return e.svix_id;
}

/** Runs `sql` as `role` with these token claims, as PostgREST would, in one transaction. */
async function as<T extends Record<string, any>>(role: "anon" | "authenticated" | "service_role", claims: Record<string, unknown>, sql: string, params: unknown[]): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("begin");
    await client.query(`set local role ${role}`);
    await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ role, ...claims })]);
    const { rows } = await client.query<T>(sql, params);
    await client.query("commit");
    return rows[0];
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

const discard = (role: "anon" | "authenticated" | "service_role", claims: Record<string, unknown>, id: string, onBehalfOf: string | null = null, reason: string | null = null) =>
  as<{ answer: Record<string, any> }>(role, claims, "select public.discard_failed_event($1, $2, $3) as answer", [id, onBehalfOf, reason]).then((row) => row.answer);

const admin = { sub: "user_admin1", metadata: { role: "admin" } };

async function audit(id: string) {
  const { rows } = await db.query("select action, actor, reason, detail from public.clerk_event_audit where svix_id = $1", [id]);
  return rows;
}

describe("public.discard_failed_event", () => {
  it("lets an admin discard a failed event: the row says discarded, by whom and when, and the audit says why", async () => {
    const id = await failedEvent();
    const before = await ledgerRow(db, id);
    const answer = await discard("authenticated", admin, id, "user_someone_else", "  breaks a rule on purpose ");
    expect(answer, "public.discard_failed_event").toMatchObject({
      result: "discarded",
      event: { svix_id: id, type: before!.type, object_id: before!.object_id, attempts: 1, error: before!.error },
      discarded_by: "user_admin1",
    });
    const row = await ledgerRow(db, id);
    expect(row, "public.discard_failed_event").toMatchObject({ outcome: "discarded", discarded_by: "user_admin1", error: before!.error, payload: before!.payload });
    expect(Date.now() - row!.discarded_at.getTime(), "discarded_at is now").toBeLessThan(60_000);
    expect(await audit(id), "public.discard_failed_event").toEqual([
      { action: "discard", actor: "user_admin1", reason: "breaks a rule on purpose", detail: { type: before!.type, object_id: before!.object_id, attempts: 1, error: before!.error } },
    ]);
  });

  it("lets the service role discard on behalf of the operator it names", async () => {
    const id = await failedEvent();
    expect(await discard("service_role", {}, id, "cli:ops"), "public.discard_failed_event").toMatchObject({ result: "discarded", discarded_by: "cli:ops" });
    expect(await audit(id), "public.discard_failed_event").toMatchObject([{ actor: "cli:ops", reason: null }]);
  });

  it("refuses a signed-in user who is not an admin, and anon, and changes nothing", async () => {
    const id = await failedEvent();
    await expect(discard("authenticated", { sub: "user_member", metadata: { role: "member" } }, id), "public.discard_failed_event").rejects.toMatchObject({ code: "42501" });
    await expect(discard("anon", {}, id), "anon may not execute it").rejects.toMatchObject({ code: "42501" });
    expect((await ledgerRow(db, id))?.outcome, "public.discard_failed_event").toBe("failed");
    expect(await audit(id), "public.discard_failed_event").toEqual([]);
  });

  it("leaves an event that is not failed alone, and says what it is; an unknown id is unknown", async () => {
    const applied = userUpserted(clerkId("user"), at(1));
    expect(await apply(db, applied)).toBe("applied");
    expect(await discard("service_role", {}, applied.svix_id), "public.discard_failed_event").toEqual({ result: "not_failed", svix_id: applied.svix_id, outcome: "applied" });
    expect((await ledgerRow(db, applied.svix_id))?.outcome).toBe("applied");
    const unknown = svixId();
    expect(await discard("service_role", {}, unknown), "public.discard_failed_event").toEqual({ result: "unknown", svix_id: unknown });
    // A second discard of the same event: it is settled now.
    const id = await failedEvent();
    await discard("service_role", {}, id);
    expect(await discard("service_role", {}, id), "public.discard_failed_event").toMatchObject({ result: "not_failed", outcome: "discarded" });
    expect(await audit(id)).toHaveLength(1);
  });

  it("takes the event out of the failed count that sync_health and the admins' report read", async () => {
    const id = await failedEvent();
    const client = await db.connect();
    try {
      // One snapshot, so that other tests' failed events do not move the count.
      await client.query("begin isolation level repeatable read");
      await client.query("set local role service_role");
      await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ role: "service_role" })]);
      const count = async (c: pg.PoolClient) => Number((await c.query("select (public.sync_health_report(60, null) ->> 'failed_count') as n")).rows[0].n);
      const before = await count(client);
      await client.query("select public.discard_failed_event($1)", [id]);
      expect(await count(client), "public.sync_health_report").toBe(before - 1);
      await client.query("commit");
    } finally {
      client.release();
    }
  });

  it("answers a redelivery of a discarded message as a duplicate, changing nothing", async () => {
    const id = await failedEvent();
    await discard("service_role", {}, id);
    const fixed = { ...userUpserted(clerkId("user"), at(2)), svix_id: id };
    expect(await apply(db, fixed), "private.apply_event").toBe("duplicate");
    expect(await ledgerRow(db, id), "private.apply_event").toMatchObject({ outcome: "discarded", duplicates: 1 });
  });

  it("keeps the audit out of reach of the API roles, and read-only for the service role", async () => {
    const id = await failedEvent();
    await discard("service_role", {}, id);
    await expect(as("authenticated", admin, "select count(*) from public.clerk_event_audit", []), "authenticated").rejects.toMatchObject({ code: "42501" });
    await expect(as("service_role", {}, "delete from public.clerk_event_audit where svix_id = $1", [id]), "service_role may not delete").rejects.toMatchObject({ code: "42501" });
    await expect(as("service_role", {}, "update public.clerk_event_audit set reason = 'x' where svix_id = $1", [id]), "service_role may not update").rejects.toMatchObject({ code: "42501" });
    expect(await as<{ n: string }>("service_role", {}, "select count(*)::text as n from public.clerk_event_audit where svix_id = $1", [id])).toEqual({ n: "1" });
  });
});

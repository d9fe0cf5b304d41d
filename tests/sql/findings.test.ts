/**
 * The database halves of the attack findings (issue 10), each tried again against the
 * SQL it exploited: future-dated clocks, a deleted user's token claims, one kind's
 * event naming another kind's id, and the cost of the anonymous health check.
 */
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { clusterAt } from "../../scripts/schema/databases.ts";
import {
  apply,
  clerkId,
  ledgerRow,
  membershipUpserted,
  newMembership,
  organizationDeleted,
  organizationUpserted,
  rowOf,
  svixId,
  useDatabase,
  userDeleted,
  userUpserted,
  type ApplyEvent,
} from "./support/events.ts";

const db = useDatabase();

const year9999 = "9999-12-31T23:59:59.000Z";
const fromNow = (seconds: number) =>
  new Date(Date.now() + seconds * 1000).toISOString();

/** Runs `sql` as the authenticated role with these token claims, as PostgREST would. */
async function asCaller(
  claims: Record<string, unknown>,
  sql: string,
): Promise<any[]> {
  const client = await db.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('request.jwt.claims', $1, true)", [
      JSON.stringify({ role: "authenticated", ...claims }),
    ]);
    await client.query("set local role authenticated");
    return (await client.query(sql)).rows;
  } finally {
    await client.query("rollback");
    client.release();
  }
}

const organizationsOf = async (claims: Record<string, unknown>) =>
  (
    await asCaller(
      claims,
      "select private.current_user_organization_ids() as id",
    )
  )
    .map((row) => row.id)
    .sort();

describe("finding 2: a future-dated event", () => {
  it("is clocked at the time received, keeps the clock it claimed in the ledger, and cannot block a later delete", async () => {
    const id = clerkId("user");
    const future = userUpserted(id, year9999);
    expect(await apply(db, future), "private.apply_event").toBe("applied");
    const ledger = await ledgerRow(db, future.svix_id);
    expect(ledger?.clamped_from, "private.apply_event").toEqual(
      new Date(year9999),
    );
    expect(
      Math.abs(ledger?.event_at.getTime() - Date.now()),
      "private.apply_event",
    ).toBeLessThan(60_000);
    expect(
      await apply(db, userDeleted(id, fromNow(1))),
      "private.tombstone_user",
    ).toBe("applied");
    const { rows } = await db.query(
      "select 1 from public.public_profiles where clerk_id = $1",
      [id],
    );
    expect(rows, "private.tombstone_user").toHaveLength(0);
  });

  it("cannot keep the next update out", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, year9999, { first_name: "Future" }));
    expect(
      await apply(db, userUpserted(id, fromNow(60), { first_name: "Next" })),
      "private.write_profile",
    ).toBe("applied");
    expect(
      (await rowOf(db, "profiles", id))?.first_name,
      "private.write_profile",
    ).toBe("Next");
  });

  it("cannot keep an organization's delete out either", async () => {
    const m = newMembership();
    await apply(db, organizationUpserted(m.organization, year9999));
    await apply(db, membershipUpserted(m, year9999));
    expect(
      await apply(db, organizationDeleted(m.organization, fromNow(1))),
      "private.tombstone_organization",
    ).toBe("applied");
    expect(
      (await rowOf(db, "organization_memberships", m.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).not.toBeNull();
  });

  it("keeps a clock less than 5 minutes ahead as it is", async () => {
    const when = fromNow(240);
    const e = userUpserted(clerkId("user"), when);
    await apply(db, e);
    expect(await ledgerRow(db, e.svix_id), "private.apply_event").toMatchObject(
      { event_at: new Date(when), clamped_from: null },
    );
  });
});

describe("finding 4: a deleted user's token", () => {
  it("lists no organization through its org_id claim once the user is deleted", async () => {
    const m = newMembership();
    const claims = { sub: m.user, org_id: m.organization };
    await apply(db, userUpserted(m.user, fromNow(-60)));
    await apply(
      db,
      membershipUpserted(
        { ...newMembership(), organization: m.organization },
        fromNow(-60),
      ),
    );
    expect(
      await organizationsOf(claims),
      "private.current_user_organization_ids",
    ).toEqual([m.organization]);
    await apply(db, userDeleted(m.user, fromNow(-30)));
    expect(
      await organizationsOf(claims),
      "private.current_user_organization_ids",
    ).toEqual([]);
    const members = await asCaller(
      claims,
      "select count(*)::int as n from public.organization_members",
    );
    expect(members, "private.current_user_organization_ids").toEqual([
      { n: 0 },
    ]);
  });

  it("still opens the token's organization for a user whose profile has not synced yet", async () => {
    const [user, organization] = [clerkId("user"), clerkId("org")];
    expect(
      await organizationsOf({ sub: user, org_id: organization }),
      "private.current_user_organization_ids",
    ).toEqual([organization]);
  });

  it("reads o.id on a v2 token, and never lets a custom top-level org_id stand in for it", async () => {
    const user = clerkId("user");
    const [active, custom] = [clerkId("org"), clerkId("org")];
    await apply(db, userUpserted(user, fromNow(-60)));
    expect(
      await organizationsOf({
        sub: user,
        v: 2,
        o: { id: active, rol: "admin" },
        org_id: custom,
      }),
      "private.current_user_organization_ids",
    ).toEqual([active]);
    expect(
      await organizationsOf({ sub: user, v: 2, org_id: custom }),
      "private.current_user_organization_ids",
    ).toEqual([]);
    expect(
      await organizationsOf({ sub: user, org_id: active }),
      "private.current_user_organization_ids",
    ).toEqual([active]);
  });

  it("is no sync admin once the user is deleted", async () => {
    const admin = clerkId("user");
    const claims = { sub: admin, metadata: { role: "admin" } };
    await apply(db, userUpserted(admin, fromNow(-60)));
    expect(
      await asCaller(claims, "select public.authorize_sync_admin() as who"),
      "private.is_sync_admin",
    ).toEqual([{ who: admin }]);
    await apply(db, userDeleted(admin, fromNow(-30)));
    await expect(
      asCaller(claims, "select public.authorize_sync_admin()"),
      "private.is_sync_admin",
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asCaller(claims, "select public.sync_health_report()"),
      "private.is_sync_admin",
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("finding 5: one kind's event naming another kind's id", () => {
  it("refuses a user.deleted naming an organization, and ends none of its memberships", async () => {
    const m = newMembership();
    await apply(db, membershipUpserted(m, fromNow(-60)));
    const phantom: ApplyEvent = {
      ...userDeleted(m.organization, fromNow(-30)),
    };
    expect(await apply(db, phantom), "private.write_profile").toBe("failed");
    expect(
      (await ledgerRow(db, phantom.svix_id))?.error,
      "private.write_profile",
    ).toMatch(/profiles_clerk_id_is_a_user/);
    expect(
      await rowOf(db, "profiles", m.organization),
      "private.write_profile",
    ).toBeUndefined();
    expect(
      (await rowOf(db, "organization_memberships", m.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).toBeNull();
  });

  it("refuses an organization.deleted naming a user, and ends none of the user's memberships", async () => {
    const m = newMembership();
    await apply(db, membershipUpserted(m, fromNow(-60)));
    expect(
      await apply(db, organizationDeleted(m.user, fromNow(-30))),
      "private.write_organization",
    ).toBe("failed");
    expect(
      (await rowOf(db, "organization_memberships", m.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).toBeNull();
  });

  it("refuses a membership whose ids name the wrong kinds", async () => {
    for (const keys of [
      {
        id: clerkId("user"),
        organization: clerkId("org"),
        user: clerkId("user"),
      },
      {
        id: clerkId("orgmem"),
        organization: clerkId("user"),
        user: clerkId("user"),
      },
      {
        id: clerkId("orgmem"),
        organization: clerkId("org"),
        user: clerkId("org"),
      },
    ]) {
      expect(
        await apply(db, membershipUpserted(keys, fromNow(-60))),
        "private.write_membership",
      ).toBe("failed");
      expect(
        await rowOf(db, "organization_memberships", keys.id),
        "private.write_membership",
      ).toBeUndefined();
    }
  });
});

describe("finding 5: the anonymous health check at a 10^6-row ledger", () => {
  it("reads a handful of ledger pages, not the ledger", async () => {
    const url = await clusterAt(inject("sqlServerUrl")).fromSchemas(
      "health_load",
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`
        insert into public.clerk_events (svix_id, type, object_id, event_at, received_at, outcome)
        select 'msg_' || g, 'user.updated', 'user_' || (g % 1000), now() - make_interval(secs => g), now() - make_interval(secs => g),
               case when g % 100000 = 0 then 'failed' else 'applied' end::public.clerk_event_outcome
          from generate_series(1, 1000000) g`);
      await client.query("vacuum analyze public.clerk_events");
      const blocks = async () => {
        await client.query("select pg_stat_force_next_flush()");
        const { rows } = await client.query(
          "select coalesce(heap_blks_read + heap_blks_hit, 0) + coalesce(idx_blks_read + idx_blks_hit, 0) as n from pg_statio_user_tables where relid = 'public.clerk_events'::regclass",
        );
        return Number(rows[0].n);
      };
      const { rows: size } = await client.query(
        "select relpages from pg_class where oid = 'public.clerk_events'::regclass",
      );
      const before = await blocks();
      await client.query("set role anon");
      const { rows } = await client.query(
        "select public.sync_health() as health",
      );
      await client.query("reset role");
      const touched = (await blocks()) - before;
      expect(size[0].relpages, "the ledger is large").toBeGreaterThan(5_000);
      expect(
        touched,
        "public.sync_health reads pages of clerk_events and its indexes",
      ).toBeLessThan(50);
      expect(Object.keys(rows[0].health).sort(), "public.sync_health").toEqual([
        "checked_at",
        "failed_count",
        "last_event_age_seconds",
        "last_event_received_at",
        "quiet",
        "reconcile_last_step_at",
        "stale_after_seconds",
        "status",
        "webhooks_missing",
      ]);
      expect(rows[0].health.status, "public.sync_health").toBe("failing");
    } finally {
      await client.end();
    }
  }, 240_000);
});

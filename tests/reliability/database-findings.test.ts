/**
 * The database findings of the attack (issue 10), tried again over the real stack:
 * signed webhooks through the gateway and the Deno function, tokens through PostgREST.
 * The same rules are tried against the SQL alone in tests/sql/findings.test.ts.
 */
import { describe, expect, inject, it } from "vitest";
import {
  deletedJSON,
  envelope,
  membershipJSON,
  organizationJSON,
  userJSON,
} from "../../scripts/simulator/payloads.ts";
import {
  anonClient,
  database,
  newMessage,
  post,
  signedHeaders,
  testSecrets,
  userClient,
} from "../support/clients.ts";

const stack = inject("stack");
const db = database(stack);

/** Sends one signed event and returns the answer with its headers. */
async function send(event: unknown) {
  const message = newMessage(event);
  const response = await fetch(stack.webhookUrl, {
    method: "POST",
    headers: signedHeaders(message, testSecrets.current),
    body: message.body,
  });
  return {
    id: message.id,
    status: response.status,
    abort: response.headers.get("webhook-delivery"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** A user with a membership in an organization, synced by signed webhooks. */
async function member() {
  const user = userJSON({ firstName: "Mallory" });
  const organization = organizationJSON({ name: "Target", createdBy: user.id });
  const membership = membershipJSON({ organization, user, role: "org:member" });
  for (const [type, data] of [
    ["user.created", user],
    ["organization.created", organization],
    ["organizationMembership.created", membership],
  ] as const) {
    expect((await post(stack, newMessage(envelope(type, data)))).body).toEqual({
      outcome: "applied",
    });
  }
  return { user, organization, membership };
}

describe("finding 2: a signed event dated in the year 9999", () => {
  it("cannot keep the later user.deleted out: the user leaves public_profiles", async () => {
    const user = userJSON({ firstName: "Future" });
    await post(stack, newMessage(envelope("user.created", user)));
    const future = await send(
      envelope(
        "user.updated",
        { ...user, first_name: "Forever" },
        253402300799000,
      ),
    );
    expect(future).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(
      await send(envelope("user.deleted", deletedJSON("user", user.id))),
    ).toMatchObject({ status: 200, body: { outcome: "applied" } });
    const { data } = await anonClient(stack)
      .from("public_profiles")
      .select("clerk_id")
      .eq("clerk_id", user.id);
    expect(data).toEqual([]);
    const { rows } = await db.query(
      "select clamped_from, event_at < now() + interval '1 minute' as clamped from clerk_events where svix_id = $1",
      [future.id],
    );
    expect(rows).toEqual([
      { clamped_from: new Date(253402300799000), clamped: true },
    ]);
  });

  it("cannot bring a deleted user back either: deletes are terminal", async () => {
    const user = userJSON({ firstName: "Gone" });
    await post(stack, newMessage(envelope("user.created", user)));
    await send(envelope("user.deleted", deletedJSON("user", user.id)));
    expect(
      await send(
        envelope(
          "user.updated",
          { ...user, updated_at: Date.now() + 60_000 },
          Date.now() + 60_000,
        ),
      ),
    ).toMatchObject({ body: { outcome: "stale" } });
    const { data } = await anonClient(stack)
      .from("public_profiles")
      .select("clerk_id")
      .eq("clerk_id", user.id);
    expect(data).toEqual([]);
  });
});

describe("finding 4: a deleted user's token", () => {
  it("lists no members through its org_id or o.id claim, and reads no health report with its admin claim", async () => {
    const { user, organization } = await member();
    const claims = {
      claims: {
        org_id: organization.id,
        o: { id: organization.id, rol: "member" },
        metadata: { role: "admin" },
      },
    };
    const before = await userClient(stack, user.id, claims);
    expect(
      (
        await before
          .from("organization_members")
          .select("user_id")
          .eq("organization_id", organization.id)
      ).data,
    ).toHaveLength(1);
    expect((await before.rpc("sync_health_report")).error).toBeNull();

    await send(envelope("user.deleted", deletedJSON("user", user.id)));
    // A second member keeps the organization's list non-empty, so an empty answer means refused.
    const other = userJSON({ firstName: "Other" });
    await post(stack, newMessage(envelope("user.created", other)));
    await post(
      stack,
      newMessage(
        envelope(
          "organizationMembership.created",
          membershipJSON({ organization, user: other }),
        ),
      ),
    );

    const after = await userClient(stack, user.id, claims);
    expect(
      (
        await after
          .from("organization_members")
          .select("user_id")
          .eq("organization_id", organization.id)
      ).data,
    ).toEqual([]);
    expect((await after.rpc("sync_health_report")).error?.code).toBe("42501");
  });

  it("does not let a v2 token's custom top-level org_id stand in for o.id", async () => {
    const { organization } = await member();
    const outsider = userJSON({ firstName: "Outsider" });
    await post(stack, newMessage(envelope("user.created", outsider)));
    const client = await userClient(stack, outsider.id, {
      claims: { v: 2, org_id: organization.id },
    });
    expect(
      (
        await client
          .from("organization_members")
          .select("user_id")
          .eq("organization_id", organization.id)
      ).data,
    ).toEqual([]);
  });
});

describe("finding 5: one deletion keyspace for two kinds", () => {
  it("answers 400 with abort-message to a user.deleted naming an organization, and its members stay", async () => {
    const { user, organization } = await member();
    const phantom = await send(
      envelope("user.deleted", deletedJSON("user", organization.id)),
    );
    expect(phantom).toMatchObject({ status: 400, abort: "abort-message" });
    expect(String(phantom.body.error)).toContain(
      "data.id must be a Clerk id starting with user_",
    );
    const { rows } = await db.query(
      "select (select count(*)::int from profiles where clerk_id = $1) as phantoms, (select count(*)::int from organization_memberships where organization_id = $1 and deleted_at is null) as members",
      [organization.id],
    );
    expect(rows).toEqual([{ phantoms: 0, members: 1 }]);
    expect(
      (
        await db.query("select deleted_at from profiles where clerk_id = $1", [
          user.id,
        ])
      ).rows,
    ).toEqual([{ deleted_at: null }]);
  });

  it("answers 400 with abort-message to an organization.deleted naming a user, and a membership naming an organization as its user", async () => {
    const { user, organization, membership } = await member();
    expect(
      await send(
        envelope("organization.deleted", deletedJSON("organization", user.id)),
      ),
    ).toMatchObject({ status: 400, abort: "abort-message" });
    const forged = {
      ...membership,
      id: membership.id.replace("orgmem_", "orgmem_x"),
      public_user_data: {
        ...membership.public_user_data,
        user_id: organization.id,
      },
    };
    expect(
      await send(envelope("organizationMembership.created", forged)),
    ).toMatchObject({ status: 400, abort: "abort-message" });
    expect(
      (
        await db.query(
          "select count(*)::int as n from organizations where clerk_id = $1",
          [user.id],
        )
      ).rows,
    ).toEqual([{ n: 0 }]);
  });
});

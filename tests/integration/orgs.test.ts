/**
 * Organizations and memberships through the webhook, end to end: Svix-signed
 * deliveries, apply_clerk_event, and the read paths through PostgREST with real tokens,
 * including every attempt to read a member list from outside the organization.
 */
import { describe, expect, inject, it } from "vitest";
import { deletedJSON, envelope, membershipJSON, organizationJSON, userJSON, type OrganizationJSON, type UserJSON } from "../../scripts/simulator/payloads.ts";
import { anonClient, clerkId, database, devToken, newMessage, post, serviceClient, userClient } from "../support/clients.ts";
import { createNodeClient } from "../../scripts/lib/supabase.ts";

const stack = inject("stack");
const service = serviceClient(stack);
const db = database(stack);

const t0 = Date.UTC(2026, 10, 1, 12, 0, 0);
/** A whole-second time as PostgREST writes a timestamptz. */
const pgTime = (ms: number) => new Date(ms).toISOString().replace(".000Z", "+00:00");

function newUser(first = "Ada", last = "Lovelace") {
  return userJSON({ firstName: first, lastName: last, username: `${first.toLowerCase()}${Math.floor(Math.random() * 1e9)}`, createdAt: t0 });
}

function newOrg(creator: UserJSON, name = `Acme ${Math.floor(Math.random() * 1e9)}`) {
  return { ...organizationJSON({ name, createdBy: creator.id, createdAt: t0 }), private_metadata: { billing: "cus_private" } };
}

function newMembership(organization: OrganizationJSON, user: UserJSON, role = "org:member") {
  return membershipJSON({ organization, user, role, createdAt: t0 });
}

async function send(type: string, data: unknown, at: number, id = clerkId("msg")) {
  const { status, body } = await post(stack, newMessage(envelope(type, data, at), id));
  expect(status, JSON.stringify(body)).toBe(200);
  return body.outcome;
}

async function organization(id: string) {
  const { data, error } = await service.from("organizations").select("*").eq("clerk_id", id).maybeSingle();
  if (error) throw error;
  return data;
}

async function membership(id: string) {
  const { data, error } = await service.from("organization_memberships").select("*").eq("clerk_id", id).maybeSingle();
  if (error) throw error;
  return data;
}

async function publicOrganization(id: string) {
  const { data, error } = await anonClient(stack).from("public_organizations").select("*").eq("clerk_id", id);
  if (error) throw error;
  return data[0] ?? null;
}

/** Users, an organization and their memberships, all delivered in order. */
async function team(roles: Array<"org:admin" | "org:member">) {
  const users = roles.map((_, i) => newUser(["Grace", "Alan", "Hedy", "Linus"][i]));
  for (const user of users) await send("user.created", user, t0);
  const org = newOrg(users[0]);
  await send("organization.created", org, t0);
  const memberships = users.map((user, i) => newMembership(org, user, roles[i]));
  for (const m of memberships) await send("organizationMembership.created", m, t0 + 1);
  return { users, org, memberships };
}

describe("organization events", () => {
  it("organization.created becomes a row and a public directory entry, without private columns", async () => {
    const creator = newUser();
    const org = newOrg(creator);
    expect(await send("organization.created", org, t0)).toBe("applied");

    expect(await organization(org.id)).toMatchObject({ clerk_id: org.id, name: org.name, slug: org.slug, created_by: creator.id, deleted_at: null });
    const listed = await publicOrganization(org.id);
    expect(listed).toEqual({ clerk_id: org.id, name: org.name, slug: org.slug, image_url: org.image_url, created_at: pgTime(t0), members_count: 0 });
    const { rows } = await db.query("select payload::text from clerk_events where object_id = $1", [org.id]);
    expect(rows[0].payload).not.toContain("cus_private");
  });

  it("an older organization.updated after a newer one is stale", async () => {
    const org = newOrg(newUser());
    await send("organization.updated", { ...org, name: "Newer" }, t0 + 2000);
    expect(await send("organization.updated", { ...org, name: "Older" }, t0 + 1000)).toBe("stale");
    expect((await organization(org.id))!.name).toBe("Newer");
  });

  it("a redelivered organization message is a duplicate", async () => {
    const org = newOrg(newUser());
    const id = clerkId("msg");
    await send("organization.created", org, t0, id);
    await send("organization.updated", { ...org, name: "Renamed" }, t0 + 1000);
    expect(await send("organization.created", org, t0, id)).toBe("duplicate");
    expect((await organization(org.id))!.name).toBe("Renamed");
  });

  it("organization.deleted leaves a tombstone, hides the organization, and older events stay stale", async () => {
    const { org, memberships } = await team(["org:admin", "org:member"]);
    expect(await send("organization.deleted", deletedJSON("organization", org.id), t0 + 5000)).toBe("applied");

    expect(await organization(org.id)).toMatchObject({ name: null, slug: null, clerk_created_at: null, clerk_updated_at: null, deleted_at: pgTime(t0 + 5000) });
    expect(await publicOrganization(org.id)).toBeNull();
    expect(await send("organization.updated", { ...org, name: "Zombie" }, t0 + 4000)).toBe("stale");
    // Clerk removes the memberships of a deleted organization: so does the sync.
    for (const m of memberships) {
      expect(await membership(m.id)).toMatchObject({ deleted_at: pgTime(t0 + 5000), role: null, first_name: null });
    }
  });

  it("organization.deleted arriving first is a tombstone the late organization.created cannot undo", async () => {
    const org = newOrg(newUser());
    expect(await send("organization.deleted", deletedJSON("organization", org.id), t0 + 5000)).toBe("applied");
    expect(await send("organization.created", org, t0)).toBe("stale");
    expect(await publicOrganization(org.id)).toBeNull();
  });
});

describe("membership events", () => {
  it("a membership that arrives before its user and organization is stored, and shows its public names", async () => {
    const user = newUser("Katherine", "Johnson");
    const org = newOrg(user);
    const m = newMembership(org, user, "org:admin");
    expect(await send("organizationMembership.created", m, t0 + 10)).toBe("applied");
    expect(await membership(m.id)).toMatchObject({ organization_id: org.id, user_id: user.id, role: "org:admin", first_name: "Katherine" });

    const member = await userClient(stack, user.id);
    const { data: before } = await member.from("organization_members").select("user_id, first_name, username").eq("organization_id", org.id);
    expect(before).toEqual([{ user_id: user.id, first_name: "Katherine", username: null }]);

    // Then the user (renamed since) and the organization arrive.
    await send("user.created", { ...user, first_name: "Kathy" }, t0 + 20);
    await send("organization.created", org, t0);
    const { data: after } = await member.from("organization_members").select("user_id, first_name, username").eq("organization_id", org.id);
    expect(after).toEqual([{ user_id: user.id, first_name: "Kathy", username: user.username }]);
    expect((await publicOrganization(org.id))!.members_count).toBe(1);
  });

  it("organizationMembership.updated changes the role; an older one is stale", async () => {
    const { org, users, memberships } = await team(["org:admin", "org:member"]);
    expect(await send("organizationMembership.updated", { ...memberships[1], role: "org:admin" }, t0 + 3000)).toBe("applied");
    expect(await send("organizationMembership.updated", { ...memberships[1], role: "org:billing" }, t0 + 2000)).toBe("stale");
    const { data } = await (await userClient(stack, users[0].id)).from("organization_members").select("user_id, role").eq("organization_id", org.id).order("role");
    expect(data).toEqual(expect.arrayContaining([{ user_id: users[1].id, role: "org:admin" }]));
  });

  it("organizationMembership.deleted (the whole membership) tombstones it; older events stay stale", async () => {
    const { org, users, memberships } = await team(["org:admin", "org:member"]);
    expect(await send("organizationMembership.deleted", memberships[1], t0 + 5000)).toBe("applied");
    expect(await membership(memberships[1].id)).toMatchObject({ role: null, permissions: [], first_name: null, clerk_created_at: null, deleted_at: pgTime(t0 + 5000) });
    expect(await send("organizationMembership.updated", { ...memberships[1], role: "org:admin" }, t0 + 4000)).toBe("stale");

    const { data } = await (await userClient(stack, users[0].id)).from("organization_members").select("user_id").eq("organization_id", org.id);
    expect(data).toEqual([{ user_id: users[0].id }]);
    expect((await publicOrganization(org.id))!.members_count).toBe(1);
  });

  it("a delete that arrives before its create leaves a tombstone that knows its organization and user", async () => {
    const user = newUser();
    const org = newOrg(user);
    const m = newMembership(org, user);
    expect(await send("organizationMembership.deleted", m, t0 + 5000)).toBe("applied");
    expect(await send("organizationMembership.created", m, t0)).toBe("stale");
    expect(await membership(m.id)).toMatchObject({ organization_id: org.id, user_id: user.id, role: null, deleted_at: expect.any(String) });
  });

  it("user.deleted removes the user from their organizations, and a late older membership event cannot bring them back", async () => {
    const { org, users, memberships } = await team(["org:admin", "org:member"]);
    const late = newMembership(org, users[1], "org:admin");
    expect(await send("user.deleted", deletedJSON("user", users[1].id), t0 + 5000)).toBe("applied");
    expect((await membership(memberships[1].id))!.deleted_at).not.toBeNull();

    // A second membership of the deleted user, sent before the deletion but delivered after.
    expect(await send("organizationMembership.created", late, t0 + 4000)).toBe("stale");
    expect(await membership(late.id)).toMatchObject({ deleted_at: pgTime(t0 + 5000), role: null });
    const { data } = await (await userClient(stack, users[0].id)).from("organization_members").select("user_id").eq("organization_id", org.id);
    expect(data).toEqual([{ user_id: users[0].id }]);
  });

  it("ends in the same rows whichever order a membership, its user's deletion and its organization's deletion arrive in", async () => {
    const finals: unknown[] = [];
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]]) {
      const user = newUser();
      const org = newOrg(user);
      const m = newMembership(org, user);
      const events = [
        () => send("organizationMembership.created", m, t0 + 1000),
        () => send("organization.deleted", deletedJSON("organization", org.id), t0 + 2000),
        () => send("user.deleted", deletedJSON("user", user.id), t0 + 3000),
      ];
      for (const i of order) await events[i]();
      const row = await membership(m.id);
      finals.push({ ...row, clerk_id: "-", organization_id: "-", user_id: "-", event_id: "-", synced_at: "-" });
    }
    expect(finals.every((row) => JSON.stringify(row) === JSON.stringify(finals[0]))).toBe(true);
    expect(finals[0]).toMatchObject({ deleted_at: pgTime(t0 + 3000), role: null });
  });
});

describe("who reads a member list", () => {
  it("a member reads every member of their organization, with public names only", async () => {
    const { org, users } = await team(["org:admin", "org:member", "org:member"]);
    const { data, error } = await (await userClient(stack, users[2].id)).from("organization_members").select("*").eq("organization_id", org.id).order("user_id");
    expect(error).toBeNull();
    expect(data!.map((m) => m.user_id)).toEqual(users.map((u) => u.id).sort());
    expect(Object.keys(data![0]).sort()).toEqual(["first_name", "image_url", "joined_at", "last_name", "membership_id", "organization_id", "role", "user_id", "username"]);
  });

  it("a signed-in non-member sees no members, from the view or the table", async () => {
    const { org } = await team(["org:admin", "org:member"]);
    const outsider = newUser("Mallory", "Outsider");
    await send("user.created", outsider, t0);
    const client = await userClient(stack, outsider.id);
    const view = await client.from("organization_members").select("*").eq("organization_id", org.id);
    expect(view).toMatchObject({ error: null, data: [] });
    const table = await client.from("organization_memberships").select("*").eq("organization_id", org.id);
    expect(table).toMatchObject({ error: null, data: [] });
  });

  it("a member of another organization sees none of this one's members", async () => {
    const mine = await team(["org:admin"]);
    const theirs = await team(["org:admin", "org:member"]);
    const client = await userClient(stack, mine.users[0].id);
    const { data } = await client.from("organization_members").select("user_id").in("organization_id", [mine.org.id, theirs.org.id]);
    expect(data).toEqual([{ user_id: mine.users[0].id }]);
  });

  it("a visitor cannot read member lists at all", async () => {
    const { org } = await team(["org:admin"]);
    const visitor = anonClient(stack);
    const attempts = {
      organization_members: visitor.from("organization_members").select("*").eq("organization_id", org.id),
      organization_memberships: visitor.from("organization_memberships").select("*").eq("organization_id", org.id),
      organizations: visitor.from("organizations").select("*").eq("clerk_id", org.id),
    };
    for (const [from, attempt] of Object.entries(attempts)) {
      expect((await attempt).error?.code, `anon reading ${from}`).toBe("42501");
    }
  });

  it("a removed member stops seeing the list", async () => {
    const { org, users, memberships } = await team(["org:admin", "org:member"]);
    await send("organizationMembership.deleted", memberships[1], t0 + 5000);
    const { data } = await (await userClient(stack, users[1].id)).from("organization_members").select("user_id").eq("organization_id", org.id);
    expect(data).toEqual([]);
  });

  it.each([
    ["v1 org_id", (orgId: string) => ({ claims: { org_id: orgId, org_role: "org:member" } })],
    ["v2 o.id", (orgId: string) => ({ claims: { o: { id: orgId, rol: "member" } } })],
  ])("a member whose membership has not synced yet reads the list through the token's %s claim", async (_, claims) => {
    const { org, users } = await team(["org:admin"]);
    const newcomer = newUser("Radia", "Perlman");
    const token = await devToken(stack, newcomer.id, claims(org.id));
    const client = createNodeClient(stack.apiUrl, stack.anonKey, async () => token);
    const { data } = await client.from("organization_members").select("user_id").eq("organization_id", org.id);
    expect(data).toEqual([{ user_id: users[0].id }]);
    // The claim is about one organization only.
    const other = await team(["org:admin"]);
    expect((await client.from("organization_members").select("user_id").eq("organization_id", other.org.id)).data).toEqual([]);
  });

  it("nobody but the service role writes organizations or memberships", async () => {
    const { org, users, memberships } = await team(["org:admin"]);
    const admin = await userClient(stack, users[0].id);
    const attempts = [
      admin.from("organization_memberships").update({ role: "org:owner" }).eq("clerk_id", memberships[0].id),
      admin.from("organization_memberships").insert({ clerk_id: clerkId("orgmem"), organization_id: org.id, user_id: users[0].id, event_at: new Date().toISOString(), event_id: "x" }),
      admin.from("organization_memberships").delete().eq("clerk_id", memberships[0].id),
      admin.from("organizations").update({ name: "Pwned" }).eq("clerk_id", org.id),
      anonClient(stack).from("organizations").insert({ clerk_id: clerkId("org"), event_at: new Date().toISOString(), event_id: "x" }),
    ];
    for (const attempt of attempts) expect((await attempt).error?.code).toBe("42501");
    expect(await membership(memberships[0].id)).toMatchObject({ role: "org:admin", deleted_at: null });
    expect((await organization(org.id))!.name).toBe(org.name);
  });
});

describe("my organizations", () => {
  it("lists the signed-in user's organizations with their role, and nobody else's", async () => {
    const first = await team(["org:admin", "org:member"]);
    const second = await team(["org:member"]);
    const user = first.users[1];
    await send("organizationMembership.created", newMembership(second.org, user, "org:admin"), t0 + 10);

    const { data, error } = await (await userClient(stack, user.id)).from("my_organizations").select("*").order("name");
    expect(error).toBeNull();
    expect(data!.map(({ organization_id, role, members_count }) => ({ organization_id, role, members_count })).sort((a, b) => a.organization_id.localeCompare(b.organization_id)))
      .toEqual([
        { organization_id: first.org.id, role: "org:member", members_count: 2 },
        { organization_id: second.org.id, role: "org:admin", members_count: 2 },
      ].sort((a, b) => a.organization_id.localeCompare(b.organization_id)));
    expect((await anonClient(stack).from("my_organizations").select("*")).error?.code).toBe("42501");
  });
});

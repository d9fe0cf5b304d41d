/**
 * private.write_organization, private.write_membership, private.tombstone_organization,
 * private.tombstone_memberships_of and private.newer_parent_deletion through
 * public.apply_clerk_event(s): organizations, memberships, and how memberships end
 * with their organization or user.
 */
import { describe, expect, it } from "vitest";
import {
  apply,
  applyGroup,
  at,
  clerkId,
  membershipDeleted,
  membershipUpserted,
  newMembership,
  organizationDeleted,
  organizationUpserted,
  rowOf,
  useDatabase,
  userDeleted,
  userUpserted,
} from "./support/events.ts";

const db = useDatabase();

const membership = (id: string) => rowOf(db, "organization_memberships", id);

describe("private.write_organization", () => {
  it("applies a newer event and answers stale for an older one", async () => {
    const id = clerkId("org");
    expect(
      await apply(db, organizationUpserted(id, at(2), { name: "New" })),
      "private.write_organization",
    ).toBe("applied");
    expect(
      await apply(db, organizationUpserted(id, at(1), { name: "Old" })),
      "private.write_organization",
    ).toBe("stale");
    expect(
      (await rowOf(db, "organizations", id))?.name,
      "private.write_organization",
    ).toBe("New");
  });

  it("hides a deleted organization from public_organizations and forgets its fields", async () => {
    const id = clerkId("org");
    await apply(
      db,
      organizationUpserted(id, at(1), {
        public_metadata: { tier: 1 },
        created_by: "user_x",
      }),
    );
    expect(
      await apply(db, organizationDeleted(id, at(2))),
      "private.tombstone_organization",
    ).toBe("applied");
    const { rows } = await db.query(
      "select 1 from public.public_organizations where clerk_id = $1",
      [id],
    );
    expect(rows, "private.tombstone_organization").toHaveLength(0);
    expect(
      await rowOf(db, "organizations", id),
      "private.tombstone_organization",
    ).toMatchObject({
      name: null,
      slug: null,
      image_url: null,
      public_metadata: {},
      created_by: null,
      clerk_created_at: null,
      clerk_updated_at: null,
      deleted_at: new Date(at(2)),
    });
  });

  it("never lets an update older than the delete bring the organization back", async () => {
    const id = clerkId("org");
    await apply(db, organizationDeleted(id, at(3)));
    expect(
      await apply(db, organizationUpserted(id, at(2))),
      "private.write_organization",
    ).toBe("stale");
    expect(
      (await rowOf(db, "organizations", id))?.deleted_at,
      "private.write_organization",
    ).toEqual(new Date(at(3)));
  });
});

describe("private.write_membership", () => {
  it("applies a newer change and answers stale for an older one", async () => {
    const m = newMembership();
    expect(
      await apply(db, membershipUpserted(m, at(2), { role: "org:admin" })),
      "private.write_membership",
    ).toBe("applied");
    expect(
      await apply(db, membershipUpserted(m, at(1), { role: "org:member" })),
      "private.write_membership",
    ).toBe("stale");
    expect((await membership(m.id))?.role, "private.write_membership").toBe(
      "org:admin",
    );
  });

  it("wins with a delete that arrives before the create", async () => {
    const m = newMembership();
    expect(
      await apply(db, membershipDeleted(m, at(2))),
      "private.write_membership",
    ).toBe("applied");
    expect(
      await apply(db, membershipUpserted(m, at(1))),
      "private.write_membership",
    ).toBe("stale");
    expect(await membership(m.id), "private.write_membership").toMatchObject({
      organization_id: m.organization,
      user_id: m.user,
      role: null,
      permissions: [],
      deleted_at: new Date(at(2)),
    });
  });

  it("keeps the membership's organization and user in its tombstone", async () => {
    const m = newMembership();
    await apply(
      db,
      membershipUpserted(m, at(1), { role: "org:admin", first_name: "Ada" }),
    );
    await apply(
      db,
      membershipDeleted(
        { ...m, organization: "org_other", user: "user_other" },
        at(2),
      ),
    );
    expect(await membership(m.id), "private.write_membership").toMatchObject({
      organization_id: m.organization,
      user_id: m.user,
      role: null,
      first_name: null,
      public_metadata: {},
      deleted_at: new Date(at(2)),
    });
  });
});

describe("private.tombstone_memberships_of", () => {
  it("ends every membership of a deleted organization, and only those", async () => {
    const organization = clerkId("org");
    const inside = [
      { ...newMembership(), organization },
      { ...newMembership(), organization },
    ];
    const outside = newMembership();
    for (const m of [...inside, outside])
      await apply(db, membershipUpserted(m, at(1)));
    const deletion = organizationDeleted(organization, at(2));
    expect(await apply(db, deletion), "private.tombstone_organization").toBe(
      "applied",
    );
    for (const m of inside) {
      expect(
        await membership(m.id),
        "private.tombstone_memberships_of",
      ).toMatchObject({
        deleted_at: new Date(at(2)),
        event_id: deletion.svix_id,
        role: null,
      });
    }
    expect(
      (await membership(outside.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).toBeNull();
  });

  it("ends every membership of a deleted user, in every organization", async () => {
    const user = clerkId("user");
    const theirs = [
      { ...newMembership(), user },
      { ...newMembership(), user },
    ];
    const someoneElse = newMembership();
    await apply(db, userUpserted(user, at(1)));
    for (const m of [...theirs, someoneElse])
      await apply(db, membershipUpserted(m, at(1)));
    expect(
      await apply(db, userDeleted(user, at(2))),
      "private.tombstone_user",
    ).toBe("applied");
    for (const m of theirs)
      expect(
        (await membership(m.id))?.deleted_at,
        "private.tombstone_memberships_of",
      ).toEqual(new Date(at(2)));
    expect(
      (await membership(someoneElse.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).toBeNull();
  });

  it("leaves a membership changed after the deletion as it is", async () => {
    const m = newMembership();
    await apply(db, membershipUpserted(m, at(5), { role: "org:admin" }));
    await apply(db, organizationDeleted(m.organization, at(4)));
    expect(
      await membership(m.id),
      "private.tombstone_memberships_of",
    ).toMatchObject({ role: "org:admin", deleted_at: null });
  });

  it("answers applied for a deletion that changed only memberships", async () => {
    const m = newMembership();
    await apply(db, organizationUpserted(m.organization, at(10)));
    await apply(db, membershipUpserted(m, at(1)));
    expect(
      await apply(db, organizationDeleted(m.organization, at(5))),
      "private.tombstone_organization",
    ).toBe("applied");
    expect(
      (await rowOf(db, "organizations", m.organization))?.deleted_at,
      "private.tombstone_organization",
    ).toBeNull();
    expect(
      (await membership(m.id))?.deleted_at,
      "private.tombstone_memberships_of",
    ).toEqual(new Date(at(5)));
  });
});

describe("private.newer_parent_deletion", () => {
  it("ends a membership change older than its organization's deletion with the deletion's clock", async () => {
    const m = newMembership();
    const deletion = organizationDeleted(m.organization, at(5));
    await apply(db, deletion);
    expect(
      await apply(db, membershipUpserted(m, at(3))),
      "private.write_membership",
    ).toBe("stale");
    expect(
      await membership(m.id),
      "private.newer_parent_deletion",
    ).toMatchObject({
      deleted_at: new Date(at(5)),
      event_id: deletion.svix_id,
    });
  });

  it("ends a membership change older than its user's deletion", async () => {
    const m = newMembership();
    await apply(db, userDeleted(m.user, at(5)));
    expect(
      await apply(db, membershipUpserted(m, at(3))),
      "private.write_membership",
    ).toBe("stale");
    expect(
      (await membership(m.id))?.deleted_at,
      "private.newer_parent_deletion",
    ).toEqual(new Date(at(5)));
  });

  it("remembers a deletion after the parent's row is live again", async () => {
    const m = newMembership();
    await apply(db, organizationDeleted(m.organization, at(5)));
    await apply(db, organizationUpserted(m.organization, at(6)));
    expect(
      (await rowOf(db, "organizations", m.organization))?.deleted_at,
      "private.write_organization",
    ).toBeNull();
    expect(
      await apply(db, membershipUpserted(m, at(3))),
      "private.write_membership",
    ).toBe("stale");
    expect(
      (await membership(m.id))?.deleted_at,
      "private.newer_parent_deletion",
    ).toEqual(new Date(at(5)));
  });

  it("ends the same whichever order a group delivers a membership and its organization's deletion", async () => {
    const [first, second] = [newMembership(), newMembership()];
    const events = (m: typeof first) => [
      membershipUpserted(m, at(1)),
      organizationDeleted(m.organization, at(2)),
    ];
    // A group applies in (object_id, svix_id) order, not in input order: this is the
    // order inside one transaction, and the clocks make it irrelevant.
    await applyGroup(db, events(first));
    await applyGroup(db, events(second).reverse());
    expect(
      (await membership(first.id))?.deleted_at,
      "private.newer_parent_deletion",
    ).toEqual(new Date(at(2)));
    const strip = (row: Record<string, unknown> | undefined) =>
      row && {
        ...row,
        clerk_id: 0,
        organization_id: 0,
        user_id: 0,
        event_id: 0,
        synced_at: 0,
      };
    expect(
      strip(await membership(first.id)),
      "private.newer_parent_deletion",
    ).toEqual(strip(await membership(second.id)));
  });
});

import { describe, expect, it } from "vitest";
import { InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import { changeForEvent, ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { membershipFromClerk, membershipKeys, organizationFromClerk } from "../../supabase/functions/_shared/mappers.ts";
import { backfillEvent, reconcileTombstone } from "../../supabase/functions/_shared/backend-events.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, userJSON } from "../../scripts/simulator/payloads.ts";

const created = Date.UTC(2026, 0, 2);
const ada = userJSON({ id: "user_2NNEqL2nrIRdJ194ndJqAHwEfxC", firstName: "Ada", lastName: "Lovelace", username: "ada", createdAt: created });
const acme = { ...organizationJSON({ id: "org_2Acme0000000000000000000000", name: "Acme Inc", createdBy: ada.id, createdAt: created }), public_metadata: { plan: "pro" }, private_metadata: { stripe: "cus_secret" } };
const membership = { ...membershipJSON({ id: "orgmem_2Ada00000000000000000000", organization: acme, user: ada, role: "org:admin", createdAt: created }), private_metadata: { note: "secret" } };

describe("organizationFromClerk", () => {
  it("maps the Clerk-owned columns of an organization", () => {
    expect(organizationFromClerk(acme)).toEqual({
      clerk_id: acme.id,
      name: "Acme Inc",
      slug: "acme-inc",
      image_url: acme.image_url,
      public_metadata: { plan: "pro" },
      created_by: ada.id,
      clerk_created_at: "2026-01-02T00:00:00.000Z",
      clerk_updated_at: "2026-01-02T00:00:00.000Z",
    });
  });

  it("never copies private_metadata", () => {
    expect(JSON.stringify(organizationFromClerk(acme))).not.toContain("cus_secret");
  });

  it.each([
    ["data is null", null],
    ["id is missing", { ...acme, id: undefined }],
    ["name is a number", { ...acme, name: 7 }],
    ["public_metadata is an array", { ...acme, public_metadata: [] }],
    ["updated_at is a string", { ...acme, updated_at: "now" }],
  ])("rejects an organization whose %s", (_, data) => {
    expect(() => organizationFromClerk(data)).toThrow(InvalidEventError);
  });
});

describe("membershipFromClerk", () => {
  it("maps a membership with its organization, user and public names", () => {
    expect(membershipFromClerk(membership)).toEqual({
      clerk_id: membership.id,
      organization_id: acme.id,
      user_id: ada.id,
      role: "org:admin",
      permissions: membership.permissions,
      public_metadata: {},
      first_name: "Ada",
      last_name: "Lovelace",
      image_url: ada.image_url,
      clerk_created_at: "2026-01-02T00:00:00.000Z",
      clerk_updated_at: "2026-01-02T00:00:00.000Z",
    });
  });

  it("keeps neither the identifier (an email address) nor any private_metadata", () => {
    const row = JSON.stringify(membershipFromClerk(membership));
    expect(row).not.toContain(membership.public_user_data.identifier);
    expect(row).not.toContain("secret");
  });

  it.each([
    ["has no organization", { ...membership, organization: undefined }, /data.organization must be an object/],
    ["has an organization without id", { ...membership, organization: { ...acme, id: "" } }, /data.organization.id/],
    ["has no public_user_data", { ...membership, public_user_data: null }, /data.public_user_data must be an object/],
    ["has no user_id", { ...membership, public_user_data: { ...membership.public_user_data, user_id: 5 } }, /data.public_user_data.user_id/],
    ["has permissions that are not strings", { ...membership, permissions: [1] }, /permissions/],
  ])("rejects a membership that %s", (_, data, message) => {
    expect(() => membershipFromClerk(data)).toThrow(message);
  });

  it("membershipKeys reads only the ids, so a deleted membership needs no more", () => {
    expect(membershipKeys({ id: "orgmem_1", organization: { id: "org_1" }, public_user_data: { user_id: "user_1" } }))
      .toEqual({ clerk_id: "orgmem_1", organization_id: "org_1", user_id: "user_1" });
  });
});

describe("changeForEvent for organizations", () => {
  it.each(["organization.created", "organization.updated"])("routes %s to an upsert of organizations", (type) => {
    expect(changeForEvent(parseEnvelope(envelope(type, acme)))).toMatchObject({ table: "organizations", op: "upsert", row: { clerk_id: acme.id } });
  });
  it("routes organization.deleted (a DeletedObjectJSON) to a tombstone", () => {
    expect(changeForEvent(parseEnvelope(envelope("organization.deleted", deletedJSON("organization", acme.id)))))
      .toEqual({ table: "organizations", op: "tombstone", row: { clerk_id: acme.id } });
  });
  it.each(["organizationMembership.created", "organizationMembership.updated"])("routes %s to an upsert of memberships", (type) => {
    expect(changeForEvent(parseEnvelope(envelope(type, membership))))
      .toMatchObject({ table: "organization_memberships", op: "upsert", row: { clerk_id: membership.id, role: "org:admin" } });
  });
  it("routes organizationMembership.deleted (the whole membership) to a tombstone naming its organization and user", () => {
    expect(changeForEvent(parseEnvelope(envelope("organizationMembership.deleted", membership))))
      .toEqual({ table: "organization_memberships", op: "tombstone", row: { clerk_id: membership.id, organization_id: acme.id, user_id: ada.id } });
  });
  it("stores no private_metadata of a membership in the ledger, not even its organization's", () => {
    const stored = JSON.stringify(ledgerEvent("msg_1", parseEnvelope(envelope("organizationMembership.created", membership)), new Date()).payload);
    expect(stored).not.toContain("private_metadata");
    expect(stored).not.toContain("cus_secret");
  });
});

describe("backfill and reconcile events", () => {
  it("a backfilled object is the webhook's .updated event, clocked by updated_at, with an id per version", () => {
    const event = backfillEvent("users", { ...ada, updated_at: Date.UTC(2026, 5, 1) } as never, new Date(Date.UTC(2026, 10, 22)));
    expect(event).toMatchObject({
      svix_id: `backfill:${ada.id}:${Date.UTC(2026, 5, 1)}`,
      type: "user.updated",
      event_at: "2026-06-01T00:00:00.000Z",
      object_id: ada.id,
      change: { table: "profiles", op: "upsert" },
    });
    expect(JSON.stringify(event.payload)).not.toContain("private_metadata");
  });

  it.each([
    ["organizations", acme, "organization.updated", "organizations"],
    ["memberships", membership, "organizationMembership.updated", "organization_memberships"],
  ] as const)("backfills %s as %s", (kind, object, type, table) => {
    expect(backfillEvent(kind, object as never)).toMatchObject({ type, change: { table, op: "upsert" } });
  });

  it("refuses an object without updated_at: it has no clock", () => {
    expect(() => backfillEvent("users", { ...ada, updated_at: undefined } as never)).toThrow(InvalidEventError);
  });

  it("a reconcile tombstone is clocked when Clerk confirmed the object gone", () => {
    const at = Date.UTC(2026, 10, 22, 3);
    expect(reconcileTombstone("memberships", { clerk_id: "orgmem_1", organization_id: "org_1", user_id: "user_1", clerk_updated_at: null, deleted_at: null }, at))
      .toMatchObject({
        svix_id: `reconcile:orgmem_1:gone:${at}`,
        type: "organizationMembership.deleted",
        event_at: "2026-11-22T03:00:00.000Z",
        change: { table: "organization_memberships", op: "tombstone", row: { clerk_id: "orgmem_1", organization_id: "org_1", user_id: "user_1" } },
      });
    expect(reconcileTombstone("users", { clerk_id: "user_1", clerk_updated_at: null, deleted_at: null }, at))
      .toMatchObject({ type: "user.deleted", change: { table: "profiles", op: "tombstone", row: { clerk_id: "user_1" } } });
  });
});

describe("ids that name another kind (issue 10, finding 5)", () => {
  const refused = (event: unknown) => () => changeForEvent(parseEnvelope(event));

  it("refuses a user.deleted naming an organization, and an organization.deleted naming a user", () => {
    expect(refused(envelope("user.deleted", { object: "user", id: acme.id, deleted: true }))).toThrow(new InvalidEventError("data.id must be a Clerk id starting with user_"));
    expect(refused(envelope("organization.deleted", { object: "organization", id: ada.id, deleted: true }))).toThrow(new InvalidEventError("data.id must be a Clerk id starting with org_"));
  });

  it("refuses a user or organization event whose id is of another kind, or only a prefix", () => {
    expect(refused(envelope("user.updated", { ...ada, id: membership.id }))).toThrow(/data.id must be a Clerk id starting with user_/);
    expect(refused(envelope("organization.updated", { ...acme, id: "org_" }))).toThrow(/data.id must be a Clerk id starting with org_/);
  });

  it("refuses a membership whose own, organization or user id is of another kind", () => {
    expect(refused(envelope("organizationMembership.created", { ...membership, id: ada.id }))).toThrow(/data.id must be a Clerk id starting with orgmem_/);
    expect(refused(envelope("organizationMembership.deleted", { ...membership, organization: { ...acme, id: ada.id } }))).toThrow(/data.organization.id must be a Clerk id starting with org_/);
    expect(refused(envelope("organizationMembership.updated", { ...membership, public_user_data: { ...membership.public_user_data, user_id: acme.id } }))).toThrow(/data.public_user_data.user_id must be a Clerk id starting with user_/);
  });
});

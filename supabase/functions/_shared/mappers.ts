/**
 * Pure mapping from Clerk JSON to rows. No I/O: the webhook, the backfill and the
 * tests all call these, so a row looks the same whichever path wrote it.
 */
import type { MembershipColumn, OrganizationColumn, ProfileColumn } from "./columns.ts";
import type { Database } from "./database.types.ts";
import { InvalidEventError } from "./errors.ts";
import { storableJson, storableText } from "./text.ts";

type ProfileRow = Database["public"]["Tables"]["profiles"]["Row"];
type OrganizationRow = Database["public"]["Tables"]["organizations"]["Row"];
type MembershipRow = Database["public"]["Tables"]["organization_memberships"]["Row"];

/** A profile's Clerk-owned columns (columns.ts), typed as the generated table types say. */
export type ProfileSync = Pick<ProfileRow, ProfileColumn>;

/** Maps a Clerk UserJSON to the synced columns of its profile. */
export function profileFromUser(user: unknown): ProfileSync {
  const data = record(user, "data");
  return {
    clerk_id: objectId(data),
    username: optionalText(data, "username"),
    first_name: optionalText(data, "first_name"),
    last_name: optionalText(data, "last_name"),
    image_url: optionalText(data, "image_url"),
    email: primaryEmail(data),
    public_metadata: (storableJson(optionalRecord(data, "public_metadata") ?? {}) as ProfileSync["public_metadata"]),
    clerk_created_at: optionalMillis(data, "created_at"),
    clerk_updated_at: optionalMillis(data, "updated_at"),
  };
}

/** The Clerk-owned columns of `organizations`. */
export type OrganizationSync = Pick<OrganizationRow, OrganizationColumn>;

/** Maps a Clerk OrganizationJSON to the synced columns of its row. private_metadata is never read. */
export function organizationFromClerk(organization: unknown): OrganizationSync {
  const data = record(organization, "data");
  return {
    clerk_id: objectId(data),
    name: optionalText(data, "name"),
    slug: optionalText(data, "slug"),
    image_url: optionalText(data, "image_url"),
    public_metadata: storableJson(optionalRecord(data, "public_metadata") ?? {}) as OrganizationSync["public_metadata"],
    created_by: optionalText(data, "created_by"),
    clerk_created_at: optionalMillis(data, "created_at"),
    clerk_updated_at: optionalMillis(data, "updated_at"),
  };
}

/** The Clerk-owned columns of `organization_memberships`. */
export type MembershipSync = Pick<MembershipRow, MembershipColumn>;

/**
 * Maps a Clerk OrganizationMembershipJSON to its row. The organization and user are
 * read from the embedded `organization` and `public_user_data`; `identifier` (usually
 * the email address) is left out on purpose.
 */
export function membershipFromClerk(membership: unknown): MembershipSync {
  const data = record(membership, "data");
  const organization = record(data.organization, "data.organization");
  const user = record(data.public_user_data, "data.public_user_data");
  return {
    ...membershipKeys(data),
    role: optionalText(data, "role"),
    permissions: textList(data, "permissions"),
    public_metadata: storableJson(optionalRecord(data, "public_metadata") ?? {}) as MembershipSync["public_metadata"],
    first_name: optionalText(user, "first_name"),
    last_name: optionalText(user, "last_name"),
    image_url: optionalText(user, "image_url"),
    clerk_created_at: optionalMillis(data, "created_at"),
    clerk_updated_at: optionalMillis(data, "updated_at"),
  };
}

/** Which membership, of which organization and user: all a tombstone needs. */
export function membershipKeys(membership: unknown): Pick<MembershipSync, "clerk_id" | "organization_id" | "user_id"> {
  const data = record(membership, "data");
  return {
    clerk_id: objectId(data),
    organization_id: clerkIdAt(record(data.organization, "data.organization"), "id", "data.organization.id"),
    user_id: clerkIdAt(record(data.public_user_data, "data.public_user_data"), "user_id", "data.public_user_data.user_id"),
  };
}

/**
 * The primary email is the entry whose id is `primary_email_address_id`, not the first
 * entry: a user who adds a second address and makes it primary keeps the old one first.
 */
export function primaryEmail(user: Record<string, unknown>): string | null {
  const primaryId = optionalText(user, "primary_email_address_id");
  const addresses = user.email_addresses;
  if (primaryId === null || addresses == null) return null;
  if (!Array.isArray(addresses)) throw new InvalidEventError("data.email_addresses is not an array");
  const primary = addresses.find((entry) => isRecord(entry) && entry.id === primaryId);
  return primary ? optionalText(primary, "email_address") : null;
}

/** The `id` of any Clerk object (`user_…`, `org_…`): a non-empty string of at most 128 characters. */
export function objectId(data: Record<string, unknown>): string {
  return clerkIdAt(data, "id", "data.id");
}

function clerkIdAt(data: Record<string, unknown>, key: string, name: string): string {
  const id = data[key];
  if (typeof id !== "string" || id.length === 0 || id.length > 128) {
    throw new InvalidEventError(`${name} must be a string of 1 to 128 characters`);
  }
  return storableText(id);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function record(value: unknown, name: string): Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidEventError(`${name} must be an object`);
  return value;
}

function optionalRecord(data: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const value = data[key];
  if (value == null) return null;
  return record(value, `data.${key}`);
}

function optionalText(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  if (value == null) return null;
  if (typeof value !== "string") throw new InvalidEventError(`data.${key} must be a string or null`);
  return storableText(value);
}

function textList(data: Record<string, unknown>, key: string): string[] {
  const value = data[key];
  if (value == null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new InvalidEventError(`data.${key} must be an array of strings`);
  }
  return value.map(storableText);
}

/** 0001-01-01 and 9999-12-31T23:59:59.999Z: the years a four-digit ISO timestamp can name. */
const earliestMillis = -62_135_596_800_000;
const latestMillis = 253_402_300_799_999;

/**
 * Clerk times are Unix milliseconds; rows hold ISO timestamps. Outside years 1 to 9999
 * JavaScript writes six-digit years ("+275760-09-13…") that PostgreSQL cannot parse, so
 * such a time is refused here rather than failing in the database on every retry.
 */
export function optionalMillis(data: Record<string, unknown>, key: string, path = `data.${key}`): string | null {
  const value = data[key];
  if (value == null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < earliestMillis || value > latestMillis) {
    throw new InvalidEventError(`${path} must be Unix milliseconds between the years 1 and 9999`);
  }
  return new Date(value).toISOString();
}

/**
 * Pure mapping from Clerk JSON to rows. No I/O: the webhook, the backfill and the
 * tests all call these, so a row looks the same whichever path wrote it.
 */
import type { Database } from "./database.types.ts";
import { InvalidEventError } from "./errors.ts";
import { storableJson, storableText } from "./text.ts";

type ProfileColumns = Database["public"]["Tables"]["profiles"]["Row"];

/** The Clerk-owned columns of `profiles`: what a sync writes, and nothing else. */
export type ProfileSync = Pick<
  ProfileColumns,
  | "clerk_id"
  | "username"
  | "first_name"
  | "last_name"
  | "image_url"
  | "email"
  | "public_metadata"
  | "clerk_created_at"
  | "clerk_updated_at"
>;

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
  const id = data.id;
  if (typeof id !== "string" || id.length === 0 || id.length > 128) {
    throw new InvalidEventError("data.id must be a string of 1 to 128 characters");
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

/** 0001-01-01 and 9999-12-31T23:59:59.999Z: the years a four-digit ISO timestamp can name. */
const earliestMillis = -62_135_596_800_000;
const latestMillis = 253_402_300_799_999;

/**
 * Clerk times are Unix milliseconds; rows hold ISO timestamps. Outside years 1 to 9999
 * JavaScript writes six-digit years ("+275760-09-13…") that PostgreSQL cannot parse, so
 * such a time is refused here rather than failing in the database on every retry.
 */
export function optionalMillis(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  if (value == null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < earliestMillis || value > latestMillis) {
    throw new InvalidEventError(`data.${key} must be Unix milliseconds between the years 1 and 9999`);
  }
  return new Date(value).toISOString();
}

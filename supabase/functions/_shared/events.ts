/**
 * From a verified Clerk event to the one argument of apply_clerk_event. Pure.
 */
import type { Database } from "./database.types.ts";
import { InvalidEventError } from "./errors.ts";
import {
  isRecord,
  membershipFromClerk,
  membershipKeys,
  type MembershipSync,
  objectId,
  optionalMillis,
  organizationFromClerk,
  type OrganizationSync,
  type ProfileSync,
  profileFromUser,
  record,
} from "./mappers.ts";
import { storableJson, storableText } from "./text.ts";

export type Outcome = Database["public"]["Enums"]["clerk_event_outcome"];

/** What applying an event answers: every outcome but `discarded`, which only an admin sets (discard.ts). */
export type ApplyOutcome = Exclude<Outcome, "discarded">;

/** A write to one synced row; apply_clerk_event guards it with the event clock. */
export type Change =
  | { table: "profiles"; op: "upsert"; row: ProfileSync }
  | { table: "profiles"; op: "tombstone"; row: { clerk_id: string } }
  | { table: "organizations"; op: "upsert"; row: OrganizationSync }
  | { table: "organizations"; op: "tombstone"; row: { clerk_id: string } }
  | { table: "organization_memberships"; op: "upsert"; row: MembershipSync }
  | { table: "organization_memberships"; op: "tombstone"; row: Pick<MembershipSync, "clerk_id" | "organization_id" | "user_id"> };

/** The argument of apply_clerk_event. */
export interface LedgerEvent {
  svix_id: string;
  type: string;
  /** ISO time of the event clock. */
  event_at: string;
  object_id: string | null;
  instance_id: string | null;
  /**
   * The event as stored for audit and replay, without what the sync must not keep.
   * Absent for an event type this sync does not store (nothing of it is kept).
   */
  payload?: Record<string, unknown>;
  /** null: an event type this sync does not store; recorded as ignored. */
  change: Change | null;
  /** Keep the payload in the ledger even when the event applies (default true); failed events always keep it. */
  keep_payload?: boolean;
}

/** The envelope fields every event must have: an object with a string `type` and an object `data`. */
export interface Envelope {
  type: string;
  data: Record<string, unknown>;
  timestamp?: unknown;
  instance_id?: unknown;
  [key: string]: unknown;
}

export function parseEnvelope(json: unknown): Envelope {
  if (!isRecord(json)) throw new InvalidEventError("body must be a JSON object");
  if (typeof json.type !== "string" || json.type.length === 0 || json.type.length > 128) {
    throw new InvalidEventError("type must be a non-empty string");
  }
  record(json.data, "data");
  return json as Envelope;
}

/** Routes an event to the row it changes. One line of intent per type. */
export function changeForEvent(event: Envelope): Change | null {
  switch (event.type) {
    case "user.created":
    case "user.updated":
      return { table: "profiles", op: "upsert", row: profileFromUser(event.data) };
    case "user.deleted":
      return { table: "profiles", op: "tombstone", row: { clerk_id: objectId(event.data, "user_") } };
    case "organization.created":
    case "organization.updated":
      return { table: "organizations", op: "upsert", row: organizationFromClerk(event.data) };
    case "organization.deleted":
      return { table: "organizations", op: "tombstone", row: { clerk_id: objectId(event.data, "org_") } };
    case "organizationMembership.created":
    case "organizationMembership.updated":
      return { table: "organization_memberships", op: "upsert", row: membershipFromClerk(event.data) };
    case "organizationMembership.deleted": // carries the whole membership, not a DeletedObjectJSON
      return { table: "organization_memberships", op: "tombstone", row: membershipKeys(event.data) };
    case "session.created": // newer payloads embed the whole user: every sign-in heals a stale row
      return embeddedUser(event) ? { table: "profiles", op: "upsert", row: profileFromUser(event.data.user) } : null;
    default:
      return null;
  }
}

/**
 * When the event happened: the envelope `timestamp` (ms), else `data.updated_at`.
 * Never the delivery time: Svix re-signs every retry with a fresh timestamp.
 * Returns null when the event carries neither.
 */
export function eventClock(event: Envelope): string | null {
  // The session's time is not the user's: the embedded user is the version its updated_at names.
  if (embeddedUser(event)) return optionalMillis(record(event.data.user, "data.user"), "updated_at", "data.user.updated_at");
  if (event.timestamp != null) {
    return optionalMillis(event, "timestamp", "timestamp");
  }
  return optionalMillis(event.data, "updated_at");
}

/** A session.created that carries its user (SessionWebhookEventJSON); older payloads do not. */
function embeddedUser(event: Envelope): boolean {
  return event.type === "session.created" && event.data.user != null;
}

/**
 * Builds the apply_clerk_event argument. Throws InvalidEventError for an event of a
 * known type that cannot be read; an unknown type is never an error (Clerk adds types
 * over time) and is recorded as ignored, clocked at `receivedAt` if it has no clock.
 */
export function ledgerEvent(svixId: string, event: Envelope, receivedAt: Date): LedgerEvent {
  const change = changeForEvent(event);
  const clock = eventClock(event);
  if (change && clock === null) {
    throw new InvalidEventError("event has neither timestamp nor data.updated_at");
  }
  return {
    svix_id: storableText(svixId),
    type: storableText(event.type),
    event_at: clock ?? receivedAt.toISOString(),
    object_id: typeof event.data.id === "string" ? storableText(event.data.id.slice(0, 128)) : null,
    instance_id: typeof event.instance_id === "string" ? storableText(event.instance_id) : null,
    // An event this sync does not store keeps no payload either: its id, type and object
    // id say what arrived. Its body may hold anything (an email.created carries a one-time
    // code, a session its IP address and city), and no replay will ever need it.
    payload: change ? storedPayload(event) : undefined,
    change,
  };
}

/**
 * Properties the ledger never keeps, at any depth: private_metadata (a user's, and the
 * organization's embedded in every membership), and unsafe_metadata, which the end user
 * writes from the browser (unchecked, and never read by a mapper).
 */
const neverStored: ReadonlySet<string> = new Set(["private_metadata", "unsafe_metadata"]);

/**
 * The ledger keeps what a replay needs and drops what the sync must never keep: the
 * properties above wherever they nest (a user inside a session, an organization inside a
 * membership), and the end user's IP address and user agent (`event_attributes`).
 */
function storedPayload(event: Envelope): Record<string, unknown> {
  const { event_attributes: _attributes, ...envelope } = event;
  // A sign-in is kept for its user only: the session's own fields (its device, IP
  // address and city) are not the sync's, and a replay needs only the user.
  const data = embeddedUser(event)
    ? { object: event.data.object, id: event.data.id, user_id: event.data.user_id, user: event.data.user }
    : event.data;
  return storableJson({ ...envelope, data }, neverStored) as Record<string, unknown>;
}

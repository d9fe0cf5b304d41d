/**
 * A Clerk object read from the Backend API, as the event that applies that version
 * through apply_clerk_event. Backfill, reconcile and the on-demand pull (clerk-sync-self)
 * all write this way, through the webhook's own mappers, so:
 *   * the clock is the object's `updated_at`: a snapshot never overwrites what a newer
 *     webhook wrote (that write is stale), and a newer webhook arriving later still wins;
 *   * the message id names the object's version, `<source>:<id>:<updated_at>`: reading
 *     the same version again is a duplicate, and applies nothing twice.
 * An object Clerk answers 404 for becomes a tombstone clocked when Clerk said so.
 * Pure: no I/O.
 */
import type { ClerkKind, ClerkObject } from "./clerk-api.ts";
import { type LedgerEvent, ledgerEvent, parseEnvelope } from "./events.ts";

/**
 * Who read the object. It is part of the message id, and it breaks ties: two events
 * of equal clocks are the same version, and the one whose id sorts last wins. "pull"
 * sorts after Svix's "msg_", so the webhook of a version a pull already wrote is stale
 * and writes nothing; "backfill" and "reconcile" sort before it.
 */
export type SnapshotSource = "backfill" | "reconcile" | "pull";

/** Per kind: the webhook event type prefix and the JSON `object` name. */
const kindInfo = {
  users: { eventType: "user", object: "user" },
  organizations: { eventType: "organization", object: "organization" },
  memberships: { eventType: "organizationMembership", object: "organization_membership" },
} as const satisfies Record<ClerkKind, { eventType: string; object: string }>;

/** The event that applies one version of a Clerk object, as the webhook's `<kind>.updated` would. */
export function snapshotEvent(source: SnapshotSource, kind: ClerkKind, object: ClerkObject, receivedAt = new Date()): LedgerEvent {
  const envelope = parseEnvelope({ object: "event", type: `${kindInfo[kind].eventType}.updated`, data: object });
  return ledgerEvent(`${source}:${object.id}:${object.updated_at}`, envelope, receivedAt);
}

/** The row a tombstone names: a membership's also names its organization and user. */
export interface GoneRow {
  clerk_id: string;
  organization_id?: string;
  user_id?: string;
}

/**
 * The event that tombstones an object Clerk no longer has, clocked `at` (when Clerk
 * confirmed it gone). A membership tombstone names its organization and user, as
 * organizationMembership.deleted does.
 */
export function goneEvent(source: SnapshotSource, kind: ClerkKind, row: GoneRow, at: number): LedgerEvent {
  const data = kind === "memberships"
    ? { object: kindInfo[kind].object, id: row.clerk_id, deleted: true, organization: { id: row.organization_id }, public_user_data: { user_id: row.user_id } }
    : { object: kindInfo[kind].object, id: row.clerk_id, deleted: true };
  const envelope = parseEnvelope({ object: "event", type: `${kindInfo[kind].eventType}.deleted`, timestamp: at, data });
  return ledgerEvent(`${source}:${row.clerk_id}:gone:${at}`, envelope, new Date(at));
}

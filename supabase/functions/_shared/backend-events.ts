/**
 * The events that apply what Clerk's Backend API shows, through the webhook's own path
 * (the same ledgerEvent mapper and apply_clerk_event), so that:
 *   * an object's clock is its `updated_at`: a backfill or reconcile never overwrites
 *     data a newer webhook already wrote (that write is stale), and a webhook newer
 *     than the version read here still wins when it arrives later;
 *   * its message id names the object version, `backfill:<id>:<updated_at>`: reading
 *     the same version again applies nothing twice, whichever command read it;
 *   * a row Clerk no longer has is tombstoned by `reconcile:<id>:gone:<ms>`, clocked
 *     when Clerk confirmed it gone.
 * Pure; Deno and Node.
 */
import type { ClerkKind, ClerkObject } from "./clerk-api.ts";
import type { Database } from "./database.types.ts";
import { type LedgerEvent, ledgerEvent, parseEnvelope } from "./events.ts";

export const clerkKinds: ClerkKind[] = ["users", "organizations", "memberships"];

/** Per kind: the webhook event type prefix, the JSON `object` name, and the table. */
export const kindInfo = {
  users: { eventType: "user", object: "user", table: "profiles" },
  organizations: { eventType: "organization", object: "organization", table: "organizations" },
  memberships: { eventType: "organizationMembership", object: "organization_membership", table: "organization_memberships" },
} as const satisfies Record<ClerkKind, { eventType: string; object: string; table: keyof Database["public"]["Tables"] }>;

/** A synced row here, as the reconcile compares it. */
export interface LocalRow {
  clerk_id: string;
  clerk_updated_at: string | null;
  deleted_at: string | null;
  /** Memberships only. */
  organization_id?: string | null;
  user_id?: string | null;
}

/** The event that applies one version of a Clerk object, as the webhook's `<kind>.updated` would. */
export function backfillEvent(kind: ClerkKind, object: ClerkObject, receivedAt = new Date()): LedgerEvent {
  const envelope = parseEnvelope({ object: "event", type: `${kindInfo[kind].eventType}.updated`, data: object });
  return ledgerEvent(`backfill:${object.id}:${object.updated_at}`, envelope, receivedAt);
}

/**
 * The event that tombstones a row Clerk no longer has, clocked `at` (when Clerk
 * confirmed it gone). A membership tombstone names its organization and user, as
 * organizationMembership.deleted does.
 */
export function reconcileTombstone(kind: ClerkKind, row: Pick<LocalRow, "clerk_id"> & Partial<LocalRow>, at: number): LedgerEvent {
  const data = kind === "memberships"
    ? { object: kindInfo[kind].object, id: row.clerk_id, deleted: true, organization: { id: row.organization_id }, public_user_data: { user_id: row.user_id } }
    : { object: kindInfo[kind].object, id: row.clerk_id, deleted: true };
  const envelope = parseEnvelope({ object: "event", type: `${kindInfo[kind].eventType}.deleted`, timestamp: at, data });
  return ledgerEvent(`reconcile:${row.clerk_id}:gone:${at}`, envelope, new Date(at));
}

/**
 * Whether Clerk's version must be applied here: the row is missing, tombstoned, or
 * older. Not "older than": an object without a readable updated_at is tried, and the
 * mapper reports it invalid.
 */
export function needsUpsert(row: LocalRow | undefined, object: ClerkObject): boolean {
  if (!row || row.deleted_at !== null) return true;
  return !(row.clerk_updated_at !== null && Date.parse(row.clerk_updated_at) >= Number(object.updated_at));
}

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
import type { LedgerEvent } from "./events.ts";
import { goneEvent, snapshotEvent } from "./snapshots.ts";

export const clerkKinds: ClerkKind[] = ["users", "organizations", "memberships"];

/** A synced row here, as the reconcile compares it. */
export interface LocalRow {
  clerk_id: string;
  clerk_updated_at: string | null;
  deleted_at: string | null;
  /** Memberships only. */
  organization_id?: string | null;
  user_id?: string | null;
}

/** The event that applies one version of a Clerk object (`backfill:<id>:<updated_at>`): a snapshot, as snapshots.ts makes them. */
export function backfillEvent(kind: ClerkKind, object: ClerkObject, receivedAt = new Date()): LedgerEvent {
  return snapshotEvent("backfill", kind, object, receivedAt);
}

/** The event that tombstones a row Clerk no longer has, clocked `at`, when Clerk confirmed it gone (`reconcile:<id>:gone:<at>`). */
export function reconcileTombstone(kind: ClerkKind, row: Pick<LocalRow, "clerk_id"> & Partial<LocalRow>, at: number): LedgerEvent {
  return goneEvent("reconcile", kind, { clerk_id: row.clerk_id, organization_id: row.organization_id ?? undefined, user_id: row.user_id ?? undefined }, at);
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

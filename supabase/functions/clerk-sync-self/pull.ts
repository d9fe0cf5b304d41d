/**
 * The on-demand sync of one user: read them from Clerk's Backend API with their
 * organization memberships, and apply every object through apply_clerk_events as the
 * snapshot of its version (see ../_shared/snapshots.ts). The clock guard makes the race
 * with the webhook harmless: whichever of the two writes the newer version wins, in any
 * order, and the older one is stale.
 */
import type { GroupApplier } from "../_shared/apply.ts";
import type { ClerkObject, ClerkReader } from "../_shared/clerk-api.ts";
import { ClerkApiError } from "../_shared/clerk-api.ts";
import type { LedgerEvent, Outcome } from "../_shared/events.ts";
import { isRecord } from "../_shared/mappers.ts";
import { goneEvent, snapshotEvent } from "../_shared/snapshots.ts";
import { ClerkTimeoutError } from "./errors.ts";

export type PullResult =
  /** Clerk has the user: their row, organizations and memberships were applied. */
  | { result: "synced"; outcome: Outcome; memberships: number }
  /** Clerk answered 404: the user is gone, and their row is tombstoned. */
  | { result: "deleted"; outcome: Outcome };

export interface PullOptions {
  reader: Pick<ClerkReader, "user" | "userMemberships">;
  apply: GroupApplier;
  /** Give up on Clerk after this long with ClerkTimeoutError (default: wait). */
  clerkTimeoutMs?: number;
  /** The clock of a tombstone (default Date.now). */
  now?: () => number;
}

/**
 * Pulls `userId` (the caller's own id, from their verified token) and applies it. The
 * two Backend API requests go out together: the pull costs one request's time.
 * Throws ClerkApiError when Clerk refuses or fails; nothing is applied then.
 */
export async function pullUser(userId: string, options: PullOptions): Promise<PullResult> {
  const now = options.now ?? Date.now;
  const [user, memberships] = await withinTime(options.clerkTimeoutMs, Promise.all([
    options.reader.user(userId),
    // A user deleted between the two requests: their memberships answer 404 too.
    options.reader.userMemberships(userId).catch((error) => {
      if (error instanceof ClerkApiError && error.status === 404) return null;
      throw error;
    }),
  ]));
  if (!user || !memberships) {
    const [outcome] = await options.apply([goneEvent("pull", "users", { clerk_id: userId }, now())]);
    return { result: "deleted", outcome };
  }
  const [outcome] = await options.apply(pullEvents(user, memberships));
  return { result: "synced", outcome, memberships: memberships.length };
}

/**
 * The user first, then each organization once (as its membership embeds it, so the
 * user's organizations page has them), then the memberships. Mapping happens here,
 * before anything is applied: an object the mappers refuse stops the whole pull.
 */
export function pullEvents(user: ClerkObject, memberships: ClerkObject[]): LedgerEvent[] {
  const organizations = new Map<string, ClerkObject>();
  for (const membership of memberships) {
    const organization = membership.organization;
    if (isRecord(organization) && typeof organization.id === "string") organizations.set(organization.id, organization as ClerkObject);
  }
  return [
    snapshotEvent("pull", "users", user),
    ...[...organizations.values()].map((organization) => snapshotEvent("pull", "organizations", organization)),
    ...memberships.map((membership) => snapshotEvent("pull", "memberships", membership)),
  ];
}

/** @clerk/backend takes no timeout; a Clerk that hangs must not hold the caller for minutes. */
async function withinTime<T>(timeoutMs: number | undefined, work: Promise<T>): Promise<T> {
  if (timeoutMs === undefined) return await work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClerkTimeoutError(`Clerk did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

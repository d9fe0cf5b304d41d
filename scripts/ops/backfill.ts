/**
 * Backfill and reconcile: bring the database in line with what Clerk's Backend API
 * holds, through the webhook's own path. Every object becomes the event the webhook
 * would have received (`user.updated`, `organization.updated`,
 * `organizationMembership.updated`), mapped by the same ledgerEvent and applied by the
 * same apply_clerk_event, so:
 *   * its clock is the object's `updated_at`: a backfill never overwrites data a newer
 *     webhook already wrote (that write is stale), and a webhook newer than the
 *     backfilled version still wins when it arrives later;
 *   * its message id names the object version, `backfill:<id>:<updated_at>`: running
 *     again applies nothing twice, and backfill and reconcile share the ids.
 *
 * backfill   applies every object Clerk lists.
 * reconcile  compares both ways and applies only the difference: objects missing,
 *            older or tombstoned here are upserted; live rows here that Clerk no
 *            longer has are tombstoned, after Clerk confirms each one is gone (404),
 *            clocked at the moment it was confirmed.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import { createEventApplier, type EventApplier } from "../../supabase/functions/_shared/apply.ts";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import type { ApplyOutcome, LedgerEvent } from "../../supabase/functions/_shared/events.ts";
import { goneEvent, snapshotEvent } from "../../supabase/functions/_shared/snapshots.ts";
import type { Progress } from "../lib/progress.ts";
import type { ClerkKind, ClerkObject, ClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { inParallel } from "../lib/parallel.ts";

export const clerkKinds: ClerkKind[] = ["users", "organizations", "memberships"];

/** Per kind: the table its rows are in. */
const kindInfo = {
  users: { table: "profiles" },
  organizations: { table: "organizations" },
  memberships: { table: "organization_memberships" },
} as const satisfies Record<ClerkKind, { table: keyof Database["public"]["Tables"] }>;

/** A synced row here, as reconcile compares it. */
export interface LocalRow {
  clerk_id: string;
  clerk_updated_at: string | null;
  deleted_at: string | null;
  /** Memberships only. */
  organization_id?: string;
  user_id?: string;
}

/** Where the changes go: apply_clerk_event, and the rows to compare with. */
export interface SyncTarget {
  apply: EventApplier;
  /** Every row of a kind here, tombstones included. */
  rows(kind: ClerkKind): Promise<LocalRow[]>;
}

export interface KindReport {
  kind: ClerkKind;
  /** Objects Clerk listed. */
  inClerk: number;
  /** Live rows here before the run (reconcile only). */
  here: number;
  /** Reconcile: in Clerk, no row here. */
  missing: number;
  /** Reconcile: in Clerk and here, but Clerk's updated_at is newer. */
  outdated: number;
  /** Reconcile: in Clerk, tombstoned here. */
  tombstonedHere: number;
  /** Reconcile: live here, and Clerk answers 404. */
  gone: number;
  unchanged: number;
  /** What apply_clerk_event answered. */
  outcomes: Record<ApplyOutcome, number>;
  /** Objects the mappers refused (InvalidEventError), by id. */
  invalid: Array<{ id: string; error: string }>;
  /** Reconcile: the ids behind missing, outdated, tombstonedHere and gone, for a dry run to list. */
  changes?: Record<ReconcileChange, string[]>;
}

export type ReconcileChange = "missing" | "outdated" | "tombstonedHere" | "gone";

export interface SyncOptions {
  reader: ClerkReader;
  target: SyncTarget;
  mode: "backfill" | "reconcile";
  /** Reconcile: compute and report, change nothing. */
  dryRun?: boolean;
  kinds?: ClerkKind[];
  /** apply_clerk_event calls in flight (default 4). */
  concurrency?: number;
  /**
   * Reconcile refuses to tombstone more rows of one kind than this (default: 10, or
   * 10 % of the live rows, whichever is more). A secret key of the wrong Clerk instance
   * would otherwise tombstone everyone.
   */
  maxDeletes?: number;
  /** A progress line per kind. */
  progress?: (label: string, total: number) => Progress;
  /** The clock of reconcile's tombstones (default Date.now). */
  now?: () => number;
}

/** Reconcile would tombstone more rows than allowed; nothing of that kind was tombstoned. */
export class TooManyDeletesError extends Error {
  override name = "TooManyDeletesError";
}

/** The event that applies one version of a Clerk object, as the webhook's `<kind>.updated` would (`backfill:<id>:<updated_at>`). */
export function backfillEvent(kind: ClerkKind, object: ClerkObject, receivedAt = new Date()): LedgerEvent {
  return snapshotEvent("backfill", kind, object, receivedAt);
}

/** The event that tombstones a row Clerk no longer has, clocked `at`, when Clerk confirmed it gone (`reconcile:<id>:gone:<at>`). */
export function reconcileTombstone(kind: ClerkKind, row: LocalRow, at: number): LedgerEvent {
  return goneEvent("reconcile", kind, row, at);
}

/** Runs a backfill or a reconcile over each kind in turn: users, organizations, memberships. */
export async function syncFromClerk(options: SyncOptions): Promise<KindReport[]> {
  const reports: KindReport[] = [];
  for (const kind of options.kinds ?? clerkKinds) {
    reports.push(await syncKind(kind, options));
  }
  return reports;
}

async function syncKind(kind: ClerkKind, options: SyncOptions): Promise<KindReport> {
  const { reader, target } = options;
  const reconcile = options.mode === "reconcile";
  const dryRun = reconcile && options.dryRun === true;
  const now = options.now ?? Date.now;
  const report: KindReport = {
    kind,
    inClerk: 0,
    here: 0,
    missing: 0,
    outdated: 0,
    tombstonedHere: 0,
    gone: 0,
    unchanged: 0,
    outcomes: { applied: 0, stale: 0, duplicate: 0, ignored: 0, failed: 0 },
    invalid: [],
    changes: reconcile ? { missing: [], outdated: [], tombstonedHere: [], gone: [] } : undefined,
  };
  const count = (change: ReconcileChange, id: string) => {
    report[change]++;
    report.changes?.[change].push(id);
  };

  const apply = async (events: Array<[id: string, build: () => LedgerEvent]>) => {
    if (dryRun) return;
    await inParallel(events, options.concurrency ?? 4, async ([id, build]) => {
      let event: LedgerEvent;
      try {
        event = build();
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        report.invalid.push({ id, error: error.message });
        return;
      }
      report.outcomes[await target.apply(event)]++;
    });
  };

  // Reconcile decides per object whether it differs from the row here.
  const local = reconcile ? new Map((await target.rows(kind)).map((row) => [row.clerk_id, row])) : null;
  if (local) report.here = [...local.values()].filter((row) => row.deleted_at === null).length;
  const needsUpsert = (object: ClerkObject): boolean => {
    if (!local) return true;
    const row = local.get(object.id);
    if (!row) count("missing", object.id);
    else if (row.deleted_at !== null) count("tombstonedHere", object.id);
    // Not "older than": an object without a readable updated_at is tried, and reported invalid.
    else if (!(row.clerk_updated_at !== null && Date.parse(row.clerk_updated_at) >= Number(object.updated_at))) count("outdated", object.id);
    else {
      report.unchanged++;
      return false;
    }
    return true;
  };
  const upserts = (objects: ClerkObject[]) =>
    objects.filter(needsUpsert).map((object): [string, () => LedgerEvent] => [object.id, () => backfillEvent(kind, object)]);

  const seen = new Set<string>();
  let bar: Progress | undefined;
  for await (const page of reader.pages(kind)) {
    bar ??= options.progress?.(kind.padEnd(13), page.total);
    const fresh = page.items.filter((object) => !seen.has(object.id));
    fresh.forEach((object) => seen.add(object.id));
    report.inClerk += fresh.length;
    await apply(upserts(fresh));
    bar?.tick(fresh.length);
  }
  bar?.done();
  if (!local) return report;

  // Live rows Clerk did not list: gone, unless Clerk still has them when asked one by
  // one (the listing shifts when objects are deleted while it runs).
  const candidates = [...local.values()].filter((row) => row.deleted_at === null && !seen.has(row.clerk_id));
  const { gone, stillThere } = await confirmGone(kind, candidates, reader);
  report.inClerk += stillThere.length;
  await apply(upserts(stillThere));

  const limit = options.maxDeletes ?? Math.max(10, Math.ceil(report.here / 10));
  if (gone.length > limit) {
    throw new TooManyDeletesError(
      `reconcile would tombstone ${gone.length} of ${report.here} ${kind}, more than the limit of ${limit}. ` +
        "Is CLERK_SECRET_KEY the key of the instance this database syncs? If the deletions are real, run again with --max-deletes " +
        `${gone.length}.`,
    );
  }
  for (const row of gone) count("gone", row.clerk_id);
  const confirmedAt = now();
  await apply(gone.map((row): [string, () => LedgerEvent] => [row.clerk_id, () => reconcileTombstone(kind, row, confirmedAt)]));
  return report;
}

/** Asks Clerk about each candidate: 404 means gone; anything found is returned to be upserted. */
async function confirmGone(kind: ClerkKind, candidates: LocalRow[], reader: ClerkReader) {
  const gone: LocalRow[] = [];
  const stillThere: ClerkObject[] = [];
  if (kind !== "memberships") {
    for (const row of candidates) {
      const object = kind === "users" ? await reader.user(row.clerk_id) : await reader.organization(row.clerk_id);
      if (object) stillThere.push(object);
      else gone.push(row);
    }
    return { gone, stillThere };
  }
  // Clerk has no endpoint for one membership: list each organization's instead.
  const byOrganization = new Map<string, LocalRow[]>();
  for (const row of candidates) {
    byOrganization.set(row.organization_id!, [...(byOrganization.get(row.organization_id!) ?? []), row]);
  }
  for (const [organizationId, rows] of byOrganization) {
    const current = (await reader.organization(organizationId))
      ? new Map((await reader.organizationMemberships(organizationId)).map((m) => [m.id, m]))
      : new Map<string, ClerkObject>();
    for (const row of rows) {
      const object = current.get(row.clerk_id);
      if (object) stillThere.push(object);
      else gone.push(row);
    }
  }
  return { gone, stillThere };
}

/** The database side through supabase-js as the service role: the same rpc as the webhook. */
export function supabaseTarget(client: SupabaseClient<Database>): SyncTarget {
  const pageSize = 1000; // PostgREST's max_rows in supabase/config.toml
  return {
    apply: createEventApplier(client),
    async rows(kind) {
      const { table } = kindInfo[kind];
      const columns = kind === "memberships"
        ? "clerk_id, clerk_updated_at, deleted_at, organization_id, user_id"
        : "clerk_id, clerk_updated_at, deleted_at";
      const rows: LocalRow[] = [];
      for (let from = 0; ; from += pageSize) {
        const { data, error } = await client.from(table).select(columns).order("clerk_id").range(from, from + pageSize - 1);
        if (error) throw new Error(`reading ${table}: ${error.message}`);
        rows.push(...(data as unknown as LocalRow[]));
        if (data.length < pageSize) return rows;
      }
    },
  };
}

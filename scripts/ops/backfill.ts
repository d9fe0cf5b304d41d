/**
 * Backfill and reconcile from the command line: the scheduled reconcile's own step
 * (supabase/functions/_shared/reconcile-step.ts), called in a loop until it is caught
 * up, waiting out Clerk's rate limits and 5xx answers between steps.
 *
 * backfill   its own run (`backfill`): starts from empty cursors, reads every user,
 *            organization and membership, applies what is missing or older here, and
 *            never tombstones or raises the alarm.
 * reconcile  the scheduled run itself (`reconcile`), under the same lease: reads what
 *            changed since its cursor, then sweeps every live row here for what Clerk
 *            no longer has, at most --max-deletes (default 10 %) tombstones per kind.
 *            With --dry-run, a run of its own in memory from empty cursors: it lists the
 *            ids it would upsert and tombstone, and writes nothing.
 *
 * Every object goes through the webhook's mappers and apply_clerk_events, clocked by
 * its updated_at, with message ids naming the version (backend-events.ts): a newer
 * webhook always wins, and running again applies nothing twice.
 */
import { hostname } from "node:os";
import { ClerkApiError, type ClerkKind, type ClerkReader } from "../../supabase/functions/_shared/clerk-api.ts";
import { clerkKinds } from "../../supabase/functions/_shared/backend-events.ts";
import type { ApplyOutcome } from "../../supabase/functions/_shared/events.ts";
import { dryRunStore } from "../../supabase/functions/_shared/reconcile-store.ts";
import { type ReconcileStore, reconcileStep, type StepReport } from "../../supabase/functions/_shared/reconcile-step.ts";
import type { Progress } from "../lib/progress.ts";

export { clerkKinds };

/** What one run did to one kind, added up over its steps. */
export interface KindSummary {
  kind: ClerkKind;
  /** Objects Clerk showed. */
  read: number;
  /** Ids upserted here (or, in a dry run, that would be). */
  upserted: string[];
  /** Already here, or a newer webhook won (stale). */
  unchanged: number;
  /** Rows the sweep checked against Clerk (reconcile only). */
  checked: number;
  /** Ids tombstoned because Clerk no longer has them (or would be, in a dry run). */
  tombstoned: string[];
  outcomes: Record<ApplyOutcome, number>;
  /** Objects the mappers refused (InvalidEventError), by id. */
  invalid: Array<{ id: string; error: string }>;
}

export interface RunOptions {
  mode: "backfill" | "reconcile";
  /** Built with maxAttempts 1 and maxRateLimitWaits 0: this loop does the waiting. */
  reader: ClerkReader;
  store: ReconcileStore;
  kinds?: ClerkKind[];
  dryRun?: boolean;
  maxDeletes?: number;
  /** Backend API requests per step (default 50). */
  maxRequests?: number;
  /** Consecutive 5xx answers before giving up (default 5). */
  maxAttempts?: number;
  /** A progress line over the users Clerk holds. */
  progress?: (label: string, total: number) => Progress;
  /** Told before every wait. */
  onWait?: (waitMs: number, reason: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The sweep would tombstone more rows of a kind than allowed; none of that kind was tombstoned. */
export class TooManyDeletesError extends Error {
  override name = "TooManyDeletesError";
}

/** Runs steps until the run is caught up; returns what was done per kind. */
export async function runFromClerk(options: RunOptions): Promise<KindSummary[]> {
  const kinds = options.kinds ?? clerkKinds;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const reconcile = options.mode === "reconcile";
  const store = options.dryRun ? dryRunStore(options.store) : options.store;
  const holder = `npm run clerk -- ${options.mode}@${hostname()}:${process.pid}`;
  const summaries = new Map(kinds.map((kind) => [kind, emptySummary(kind)]));
  const bar = options.progress?.("users".padEnd(13), kinds.includes("users") ? await options.reader.userCount() : 0);
  const refused: Array<{ kind: string; gone: number; limit: number; live: number }> = [];

  let failures = 0;
  for (let first = true; ; first = false) {
    const result = await reconcileStep({
      run: options.mode,
      holder,
      reader: options.reader,
      store,
      kinds,
      // The operator asked for now: nothing is left to the webhooks' grace period.
      graceMs: 0,
      sweepEveryMs: reconcile ? Number.MAX_SAFE_INTEGER : null,
      sweepNow: reconcile && first,
      restart: options.mode === "backfill" && first,
      maxDeletes: options.maxDeletes,
      maxRequests: options.maxRequests ?? 50,
      dryRun: options.dryRun,
    });
    if (!result.ran) {
      // The schedule's step is running: it gives the lease back within its budget.
      const waitMs = Math.max(Date.parse(result.leaseUntil) - Date.now(), 1000);
      options.onWait?.(waitMs, `the lease is held by ${result.holder}`);
      await sleep(Math.min(waitMs, 5000));
      continue;
    }
    const { report } = result;
    addUp(summaries, report, bar);
    for (const [kind, refusal] of Object.entries(report.sweep?.done ? report.sweep.refused : {})) refused.push({ kind, ...refusal! });
    switch (report.stopped) {
      case "caught_up":
        bar?.done();
        if (refused.length) {
          const { kind, gone, limit, live } = refused[0];
          throw new TooManyDeletesError(
            `reconcile would tombstone ${gone} of ${live} ${kind}, more than the limit of ${limit}. ` +
              `Is CLERK_SECRET_KEY the key of the instance this database syncs? If the deletions are real, run again with --max-deletes ${gone}.`,
          );
        }
        return [...summaries.values()];
      case "budget":
        failures = 0;
        continue;
      case "rate_limited": {
        const waitMs = (report.retry_after_seconds ?? 1) * 1000;
        options.onWait?.(waitMs, "rate limited");
        await sleep(waitMs);
        continue;
      }
      case "clerk_unavailable": {
        if (++failures >= (options.maxAttempts ?? 5)) {
          throw new ClerkApiError(`${report.error} (gave up after ${failures} attempts)`, report.error_status);
        }
        const waitMs = Math.min(500 * 2 ** (failures - 1), 8000);
        options.onWait?.(waitMs, "Clerk unavailable");
        await sleep(waitMs);
        continue;
      }
      case "lease_lost":
        throw new Error(`another step took the lease over while this one ran: ${report.error ?? "run again"}`);
      case "failed":
        throw report.error_status !== undefined ? new ClerkApiError(report.error!, report.error_status) : new Error(report.error);
    }
  }
}

function addUp(summaries: Map<ClerkKind, KindSummary>, report: StepReport, bar: Progress | undefined) {
  for (const [kind, step] of Object.entries(report.kinds) as Array<[ClerkKind, NonNullable<StepReport["kinds"][ClerkKind]>]>) {
    const summary = summaries.get(kind)!;
    summary.read += step.read;
    summary.upserted.push(...step.upserted);
    summary.unchanged += step.unchanged;
    summary.invalid.push(...step.invalid);
    for (const outcome of Object.keys(step.outcomes) as ApplyOutcome[]) summary.outcomes[outcome] += step.outcomes[outcome];
    if (kind === "users") bar?.tick(step.read);
  }
  for (const [kind, ids] of Object.entries(report.sweep?.tombstoned ?? {}) as Array<[ClerkKind, string[]]>) {
    summaries.get(kind)!.tombstoned.push(...ids);
  }
  for (const [kind, checked] of Object.entries(report.sweep?.checked_by_kind ?? {}) as Array<[ClerkKind, number]>) {
    summaries.get(kind)!.checked += checked;
  }
}

function emptySummary(kind: ClerkKind): KindSummary {
  return { kind, read: 0, upserted: [], unchanged: 0, checked: 0, tombstoned: [], outcomes: { applied: 0, stale: 0, duplicate: 0, ignored: 0, failed: 0 }, invalid: [] };
}

/**
 * One reconcile step: read what changed in Clerk since the cursor, apply the
 * difference through the webhook's own path, move the cursor, and return, within a
 * budget of Backend API requests and seconds. Called again and again (by pg_cron, the
 * local stack's timer, or `npm run clerk -- reconcile|backfill` in a loop), it walks an
 * instance of any size without starting over, and repairs what webhooks missed.
 *
 * Per kind, what the Backend API allows:
 *   users          keyset over `order_by=+updated_at`: only what changed since the
 *                  cursor is read. The cursor is the last updated_at applied and the
 *                  ids applied at exactly that time (Clerk does not document how it
 *                  orders ties, so ties are told apart by id, not by position: none is
 *                  skipped or applied twice). The API pages by offset, so the cursor
 *                  also keeps the offset where it stood; each read starts a few rows
 *                  before it and skips what is not after the cursor. A user updated or
 *                  deleted before the cursor only moves rows toward it, and if more
 *                  moved than the overlap, the step reads further back.
 *   organizations  @clerk/backend 3.25 lists them by created_at, name or members_count
 *   memberships    only (getOrganizationList, getInstanceOrganizationMembershipList),
 *                  so the step walks them in creation order, a page per call, and
 *                  applies only what is newer than the row here. A pass ends at the
 *                  last page; the next step starts the next pass.
 *
 * Changes younger than the grace period are left to the webhooks: the step only reads
 * up to `now - grace`. So whatever it has to repair is a change that no webhook
 * delivered in time, and that is the webhooks-missing alarm: it is raised for a kind
 * when a step repairs some of the changes it saw, and cleared when a later step sees
 * new changes of that kind already here.
 *
 * The deletion sweep (every `sweepEveryMs`) walks the live rows here by key, 100 at a
 * time, asks Clerk which still exist in one request per 100 (users, organizations) or
 * per organization (memberships), and collects the ones Clerk no longer has. At the end
 * of a pass it tombstones them, unless there are more than the guard allows (10 % of
 * the live rows of a kind, at least 10, or `maxDeletes`): a secret key of the wrong
 * instance must not tombstone everyone.
 *
 * Clerk's 429 and 5xx stop the step where it is: the cursor is saved after every page,
 * so the next step resumes there. The lease makes the run single-writer; every save is
 * fenced by the holder, so a step that lost its lease stops instead of moving the
 * cursor back.
 *
 * Deno and Node: everything it touches comes in through ReconcileStore and ClerkReader.
 */
import { backfillEvent, clerkKinds, type LocalRow, needsUpsert, reconcileTombstone } from "./backend-events.ts";
import { ClerkApiError, type ClerkKind, type ClerkObject, type ClerkReader } from "./clerk-api.ts";
import { InvalidEventError } from "./errors.ts";
import type { ApplyOutcome, LedgerEvent } from "./events.ts";

/** The two runs: the scheduled one, and the CLI's backfill (its own cursors, no alarm). */
export type RunName = "reconcile" | "backfill";

/** Where the step keeps its state and writes its changes. */
export interface ReconcileStore {
  acquire(run: RunName, holder: string, leaseSeconds: number, scheduleSeconds?: number): Promise<LeaseAnswer>;
  /** Saves the state and extends the lease; false when the lease was taken over. */
  save(run: RunName, holder: string, state: RunState, leaseSeconds: number): Promise<boolean>;
  /** Saves the state and the report, and gives the lease back; false when it was taken over. */
  finish(run: RunName, holder: string, state: RunState, report: StepReport): Promise<boolean>;
  /** The rows here of these Clerk ids. */
  localRows(kind: ClerkKind, ids: string[]): Promise<Map<string, LocalRow>>;
  /** Live rows after `after` in key order (clerk_id; organization_id, clerk_id for memberships). */
  sweepRows(kind: ClerkKind, after: string[], limit: number): Promise<SweepRow[]>;
  liveCount(kind: ClerkKind): Promise<number>;
  /** apply_clerk_events: outcomes in input order. */
  apply(events: LedgerEvent[]): Promise<ApplyOutcome[]>;
}

export type LeaseAnswer =
  | { acquired: true; state: RunState; leaseUntil: string }
  | { acquired: false; holder: string; leaseUntil: string };

export interface SweepRow {
  clerk_id: string;
  organization_id?: string | null;
  user_id?: string | null;
}

/** The users cursor: the last updated_at applied, the ids applied at it, and how many rows stood up to it. */
export interface KeysetCursor {
  updated_at: number;
  ids: string[];
  offset: number;
}

/** A walk in creation order: the next offset, and the horizons that tell a change. */
export interface WalkCursor {
  offset: number;
  /** The horizon when this pass started (ms); null between passes. */
  pass_horizon: number | null;
  /** The horizon when the last complete pass started: what is newer is a change. */
  previous_horizon: number;
}

export interface GoneRow extends SweepRow {
  confirmed_at: number;
}

export interface SweepState {
  started_at: number;
  /** Index in the kinds being swept. */
  kind: number;
  after: string[];
  checked: number;
  live: Partial<Record<ClerkKind, number>>;
  gone: Partial<Record<ClerkKind, GoneRow[]>>;
  /** Kinds with more rows gone than the guard allows: counted to the end, none tombstoned. */
  refused: Partial<Record<ClerkKind, { gone: number; limit: number; live: number }>>;
}

/** An active webhooks-missing alarm of one kind (or `<kind>.deleted`, from the sweep). */
export interface Alarm {
  /** The Clerk updated_at (ISO) of the oldest change no webhook delivered. */
  since: string;
  detected_at: string;
  repaired: number;
}

/** What survives between steps (private.reconcile_runs.state). */
export interface RunState {
  cursors?: { users?: KeysetCursor; organizations?: WalkCursor; memberships?: WalkCursor };
  sweep?: SweepState | null;
  /** When the last complete sweep pass started (ms). */
  last_sweep_at?: number;
  alarm?: Record<string, Alarm>;
  /** When a step last finished without a failure (ISO): what vouches for the data. */
  last_ok_at?: string | null;
}

export type StopReason =
  | "caught_up" // every kind is up to date, and the sweep is done or not due
  | "budget" // the request or time budget ran out: call again
  | "rate_limited" // Clerk answered 429: call again after retry_after_seconds
  | "clerk_unavailable" // Clerk answered 5xx or could not be reached
  | "lease_lost" // another step took the lease over: this one's work is kept, its cursor not
  | "failed"; // our own failure (database, or Clerk refusing the key)

export interface KindStep {
  /** Objects Clerk showed this step. */
  read: number;
  /** Of those, changes since the last look. */
  changed: number;
  /** Applied here because the row was missing or older: what no webhook delivered. */
  repaired: number;
  /** Already here (or stale: a newer webhook won). */
  unchanged: number;
  /** Younger than the grace period: left to the webhooks for now. */
  deferred: number;
  outcomes: Record<ApplyOutcome, number>;
  invalid: Array<{ id: string; error: string }>;
  /** The ids this step upserted (or, in a dry run, would upsert). Capped in the stored report. */
  upserted: string[];
  newest_updated_at: string | null;
  oldest_repaired_at: string | null;
  caught_up: boolean;
}

export interface SweepStep {
  checked: number;
  checked_by_kind: Partial<Record<ClerkKind, number>>;
  /** Rows found gone in Clerk this step (tombstoned at the end of the pass). */
  gone: number;
  tombstoned: Partial<Record<ClerkKind, string[]>>;
  refused: SweepState["refused"];
  done: boolean;
}

export interface StepReport {
  run: RunName;
  holder: string;
  dry_run: boolean;
  started_at: string;
  finished_at: string;
  stopped: StopReason;
  retry_after_seconds?: number;
  error?: string;
  /** The Backend API's status, when it refused the step (e.g. 401 for a wrong key). */
  error_status?: number;
  /** When the run last finished a step without a failure: what vouches for the data. */
  last_ok_at: string | null;
  requests: number;
  kinds: Partial<Record<ClerkKind, KindStep>>;
  sweep: SweepStep | null;
  /** The cursors after this step, for the operator view. */
  cursors: RunState["cursors"];
}

export type StepResult =
  | { ran: false; holder: string; leaseUntil: string }
  | { ran: true; report: StepReport; state: RunState };

export interface StepOptions {
  run: RunName;
  /** This step's name for itself in the lease, e.g. clerk-reconcile:<uuid>. */
  holder: string;
  /** Built with maxRateLimitWaits 0 and maxAttempts 1: a 429 or 5xx ends the step. */
  reader: ClerkReader;
  store: ReconcileStore;
  kinds?: ClerkKind[];
  /** At most this many Backend API requests (default 20). */
  maxRequests?: number;
  /** Start no new request after this long (default 30 s; an Edge Function has 150 s). */
  maxMs?: number;
  /** Lease length (default maxMs + 60 s): how long a crashed holder blocks the run. */
  leaseSeconds?: number;
  /** Changes younger than this are the webhooks' (default 10 min). 0 for a backfill. */
  graceMs?: number;
  /** Start a deletion sweep when the last one started this long ago; null: never. */
  sweepEveryMs?: number | null;
  /** Start a sweep now if none is running. */
  sweepNow?: boolean;
  /** The guard on mass deletes per kind (default max(10, 10 % of the live rows)). */
  maxDeletes?: number;
  /** Begin from empty cursors (a backfill's first step). */
  restart?: boolean;
  /**
   * Apply nothing and raise no alarm: the report lists the ids that would change. Give
   * it a store that keeps the state in memory (dryRunStore), so that nothing is written.
   */
  dryRun?: boolean;
  /** The schedule's interval, stored for the next run's time on the health page. */
  scheduleSeconds?: number;
  now?: () => number;
}

/** Rows to read back before a users page, in case rows before the cursor moved away. */
const keysetOverlap = 10;
/** Ids per existence check (Clerk's limit for user_id and organization_id filters). */
const batch = 100;
/** Events per apply_clerk_events call: one transaction per page of 500. */
const applyBatch = 500;
/** Ids kept per kind in the stored report. */
const reportedIds = 20;

/** Runs one step, or says who holds the lease. */
export async function reconcileStep(options: StepOptions): Promise<StepResult> {
  const now = options.now ?? Date.now;
  const maxMs = options.maxMs ?? 30_000;
  const leaseSeconds = options.leaseSeconds ?? Math.ceil(maxMs / 1000) + 60;
  const { store, reader, run, holder } = options;
  const dryRun = options.dryRun === true;
  const kinds = options.kinds ?? clerkKinds;
  const startedAt = now();
  const graceMs = options.graceMs ?? 600_000;
  const horizon = startedAt - graceMs;

  const lease = await store.acquire(run, holder, leaseSeconds, options.scheduleSeconds);
  if (!lease.acquired) return { ran: false, holder: lease.holder, leaseUntil: lease.leaseUntil };
  const state: RunState = options.restart ? { alarm: lease.state.alarm } : structuredClone(lease.state);
  state.cursors ??= {};

  let requests = 0;
  const budgetLeft = () => requests < (options.maxRequests ?? 20) && now() - startedAt < maxMs;
  /** One Backend API request, counted against the budget. */
  const read = <T>(request: () => Promise<T>): Promise<T> => {
    requests++;
    return request();
  };
  const save = async () => {
    if (!(await store.save(run, holder, state, leaseSeconds))) throw new LeaseLost();
  };

  const steps: Partial<Record<ClerkKind, KindStep>> = {};
  const kindStep = (kind: ClerkKind) => (steps[kind] ??= emptyKindStep());

  /** Compares a page with the rows here and applies what differs. */
  async function reconcileObjects(kind: ClerkKind, objects: ClerkObject[], isChange: (object: ClerkObject) => boolean) {
    const step = kindStep(kind);
    step.read += objects.length;
    for (const object of objects) {
      const at = Number(object.updated_at);
      if (Number.isFinite(at) && (step.newest_updated_at === null || at > Date.parse(step.newest_updated_at))) {
        step.newest_updated_at = new Date(at).toISOString();
      }
    }
    const ready = objects.filter((object) => !(Number(object.updated_at) > horizon));
    step.deferred += objects.length - ready.length;
    if (ready.length === 0) return;
    const local = await store.localRows(kind, ready.map((object) => object.id));
    const differing = ready.filter((object) => needsUpsert(local.get(object.id), object));
    const differs = new Set(differing);
    step.changed += ready.filter((object) => isChange(object) || differs.has(object)).length;
    step.unchanged += ready.length - differing.length;
    const events: Array<[ClerkObject, LedgerEvent]> = [];
    for (const object of differing) {
      try {
        events.push([object, backfillEvent(kind, object)]);
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        step.invalid.push({ id: object.id, error: error.message });
      }
    }
    if (dryRun) {
      step.upserted.push(...events.map(([object]) => object.id));
      return;
    }
    for (let i = 0; i < events.length; i += applyBatch) {
      const chunk = events.slice(i, i + applyBatch);
      const outcomes = await store.apply(chunk.map(([, event]) => event));
      outcomes.forEach((outcome, j) => {
        step.outcomes[outcome]++;
        const [object] = chunk[j];
        if (outcome !== "applied") {
          step.unchanged++;
          return;
        }
        step.repaired++;
        step.upserted.push(object.id);
        const at = new Date(Number(object.updated_at)).toISOString();
        if (step.oldest_repaired_at === null || at < step.oldest_repaired_at) step.oldest_repaired_at = at;
      });
    }
  }

  /** Users: keyset on (updated_at, id) over +updated_at pages. True when caught up. */
  async function stepUsers(): Promise<boolean> {
    const cursor: KeysetCursor = state.cursors!.users ?? { updated_at: 0, ids: [], offset: 0 };
    const after = (object: ClerkObject) =>
      Number(object.updated_at) > cursor.updated_at || (Number(object.updated_at) === cursor.updated_at && !cursor.ids.includes(object.id));
    // Every read starts a few rows before where the last one ended, so that a row
    // deleted in between (which shifts the rest left) is not skipped.
    const overlap = Math.min(keysetOverlap, Math.floor(reader.pageSize / 2));
    let offset = Math.max(0, cursor.offset - overlap);
    while (budgetLeft()) {
      let items = await read(() => reader.page("users", offset, "+updated_at"));
      // The page starts after the cursor: more rows before it moved away than the
      // overlap covers, so some rows after the cursor may stand before this page.
      while (offset > 0 && items.length > 0 && after(items[0])) {
        offset = Math.max(0, offset - reader.pageSize);
        if (!budgetLeft()) {
          // The next step starts from there.
          cursor.offset = offset + overlap;
          state.cursors!.users = cursor;
          await save();
          return false;
        }
        items = await read(() => reader.page("users", offset, "+updated_at"));
      }
      const fresh = items.map((object, index) => ({ object, index })).filter(({ object }) => after(object));
      const ready = fresh.filter(({ object }) => !(Number(object.updated_at) > horizon));
      await reconcileObjects("users", fresh.map(({ object }) => object), () => true);
      // Rows are in updated_at order: the first one past the horizon ends the walk.
      const caughtUp = items.length < reader.pageSize || ready.length < fresh.length;
      const last = ready.at(-1);
      if (last) {
        const at = Number(last.object.updated_at);
        const tied = ready.filter(({ object }) => Number(object.updated_at) === at).map(({ object }) => object.id);
        Object.assign(cursor, { ids: at === cursor.updated_at ? [...cursor.ids, ...tied] : tied, updated_at: at, offset: offset + last.index + 1 });
      }
      state.cursors!.users = cursor;
      await save();
      if (caughtUp) return true;
      offset += items.length - overlap;
    }
    return false;
  }

  /** Organizations or memberships: a pass in creation order. True when the pass ended. */
  async function stepWalk(kind: "organizations" | "memberships"): Promise<boolean> {
    const walk: WalkCursor = state.cursors![kind] ?? { offset: 0, pass_horizon: null, previous_horizon: 0 };
    walk.pass_horizon ??= horizon;
    while (budgetLeft()) {
      const items = await read(() => reader.page(kind, walk.offset));
      await reconcileObjects(kind, items, (object) => Number(object.updated_at) > walk.previous_horizon);
      walk.offset += items.length;
      const passEnded = items.length < reader.pageSize;
      if (passEnded) Object.assign(walk, { offset: 0, pass_horizon: null, previous_horizon: walk.pass_horizon });
      state.cursors![kind] = walk;
      await save();
      if (passEnded) return true;
    }
    state.cursors![kind] = walk;
    return false;
  }

  /** The rows of a batch that Clerk no longer has. */
  async function goneOf(kind: ClerkKind, rows: SweepRow[]): Promise<SweepRow[]> {
    if (kind !== "memberships") {
      const existing = await read(() => reader.existing(kind, rows.map((row) => row.clerk_id)));
      return rows.filter((row) => !existing.has(row.clerk_id));
    }
    // No endpoint answers for one membership: ask each organization about its users.
    const gone: SweepRow[] = [];
    const byOrganization = new Map<string, SweepRow[]>();
    for (const row of rows) byOrganization.set(row.organization_id!, [...(byOrganization.get(row.organization_id!) ?? []), row]);
    for (const [organizationId, members] of byOrganization) {
      const current = await read(() => reader.membershipsOfUsers(organizationId, [...new Set(members.map((m) => m.user_id!))]));
      const ids = new Set((current ?? []).map((membership) => membership.id));
      gone.push(...members.filter((row) => !ids.has(row.clerk_id)));
    }
    return gone;
  }

  let sweepStep: SweepStep | null = null;

  /** The deletion sweep. True when no sweep is running any more. */
  async function stepSweep(): Promise<boolean> {
    const due = options.sweepEveryMs != null &&
      (options.sweepNow || startedAt - (state.last_sweep_at ?? 0) >= options.sweepEveryMs);
    if (!state.sweep && !due) return true;
    const sweep: SweepState = state.sweep ??= { started_at: startedAt, kind: 0, after: [], checked: 0, live: {}, gone: {}, refused: {} };
    const report: SweepStep = sweepStep = { checked: 0, checked_by_kind: {}, gone: 0, tombstoned: {}, refused: sweep.refused, done: false };

    while (sweep.kind < kinds.length && budgetLeft()) {
      const kind = kinds[sweep.kind];
      const live = sweep.live[kind] ??= await store.liveCount(kind);
      const limit = options.maxDeletes ?? Math.max(10, Math.ceil(live / 10));
      const rows = await store.sweepRows(kind, sweep.after, batch);
      if (rows.length === 0) {
        Object.assign(sweep, { kind: sweep.kind + 1, after: [] });
      } else {
        const gone = await goneOf(kind, rows);
        const confirmedAt = now();
        sweep.checked += rows.length;
        report.checked += rows.length;
        report.checked_by_kind[kind] = (report.checked_by_kind[kind] ?? 0) + rows.length;
        report.gone += gone.length;
        const last = rows.at(-1)!;
        sweep.after = kind === "memberships" ? [last.organization_id!, last.clerk_id] : [last.clerk_id];
        const refusal = sweep.refused[kind];
        if (refusal) {
          refusal.gone += gone.length;
        } else {
          const found = sweep.gone[kind] = [...(sweep.gone[kind] ?? []), ...gone.map((row) => ({ ...row, confirmed_at: confirmedAt }))];
          if (found.length > limit) {
            // Nothing of this kind is tombstoned in this pass; the rest is still counted, for the message.
            sweep.refused[kind] = { gone: found.length, limit, live };
            sweep.gone[kind] = [];
          }
        }
      }
      await save();
    }
    if (sweep.kind < kinds.length) return false;

    // The end of the pass: tombstone what Clerk no longer has, once it has been gone
    // longer than the grace period (its user.deleted may still be on its way) and is
    // still live here.
    for (const kind of kinds) {
      const candidates = sweep.gone[kind] ?? [];
      const ripe = dryRun ? candidates : candidates.filter((row) => row.confirmed_at <= horizon);
      if (ripe.length === 0) continue;
      const local = await store.localRows(kind, ripe.map((row) => row.clerk_id));
      const live = ripe.filter((row) => local.get(row.clerk_id)?.deleted_at === null);
      const tombstoned = report.tombstoned[kind] ??= [];
      if (dryRun) {
        tombstoned.push(...live.map((row) => row.clerk_id));
      } else {
        for (let i = 0; i < live.length; i += applyBatch) {
          const chunk = live.slice(i, i + applyBatch);
          const outcomes = await store.apply(chunk.map((row) => reconcileTombstone(kind, row, row.confirmed_at)));
          chunk.forEach((row, j) => outcomes[j] === "applied" && tombstoned.push(row.clerk_id));
        }
      }
      if (tombstoned.length > 0) {
        const since = new Date(Math.min(...ripe.map((row) => row.confirmed_at))).toISOString();
        raiseAlarm(`${kind}.deleted`, since, tombstoned.length);
      }
      sweep.gone[kind] = candidates.filter((row) => !ripe.includes(row));
    }
    if (kinds.some((kind) => (sweep.gone[kind] ?? []).length > 0)) {
      await save();
      return false;
    }
    for (const kind of kinds) {
      if (!report.tombstoned[kind]?.length && !sweep.refused[kind]) delete state.alarm?.[`${kind}.deleted`];
    }
    state.last_sweep_at = sweep.started_at;
    state.sweep = null;
    report.done = true;
    return true;
  }

  function raiseAlarm(key: string, since: string, repaired: number) {
    if (run !== "reconcile" || dryRun) return;
    const alarm = (state.alarm ??= {});
    const active = alarm[key];
    alarm[key] = {
      since: active && active.since < since ? active.since : since,
      detected_at: active?.detected_at ?? new Date(now()).toISOString(),
      repaired: (active?.repaired ?? 0) + repaired,
    };
  }

  let stopped: StopReason = "caught_up";
  let error: string | undefined;
  let retryAfterSeconds: number | undefined;
  let errorStatus: number | undefined;
  try {
    let caughtUp = true;
    for (const kind of kinds) {
      const done: boolean = caughtUp && budgetLeft() && (kind === "users" ? await stepUsers() : await stepWalk(kind));
      kindStep(kind).caught_up = done;
      caughtUp &&= done;
    }
    if (caughtUp && !(await stepSweep())) caughtUp = false;
    if (!caughtUp) stopped = "budget";
  } catch (failure) {
    if (failure instanceof LeaseLost) {
      stopped = "lease_lost";
    } else if (failure instanceof ClerkApiError && failure.status === 429) {
      stopped = "rate_limited";
      retryAfterSeconds = failure.retryAfterSeconds ?? 1;
    } else if (failure instanceof ClerkApiError && (failure.status === undefined || failure.status >= 500)) {
      stopped = "clerk_unavailable";
    } else {
      stopped = "failed";
    }
    error = (failure as Error).message;
    if (failure instanceof ClerkApiError) errorStatus = failure.status;
  }

  // The alarm per kind: changes seen, and some of them had to be repaired.
  for (const [kind, step] of Object.entries(steps) as Array<[ClerkKind, KindStep]>) {
    if (step.repaired > 0) raiseAlarm(kind, step.oldest_repaired_at!, step.repaired);
    else if (step.changed > 0 && run === "reconcile" && !dryRun) delete state.alarm?.[kind];
  }

  const finishedAt = new Date(now()).toISOString();
  const healthy = stopped === "caught_up" || stopped === "budget";
  const report: StepReport = {
    run,
    holder,
    dry_run: dryRun,
    started_at: new Date(startedAt).toISOString(),
    finished_at: finishedAt,
    stopped,
    ...(retryAfterSeconds !== undefined ? { retry_after_seconds: retryAfterSeconds } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(errorStatus !== undefined ? { error_status: errorStatus } : {}),
    last_ok_at: healthy ? finishedAt : null,
    requests,
    kinds: steps,
    sweep: sweepStep,
    cursors: state.cursors,
  };
  if (stopped !== "lease_lost") {
    if (!healthy) report.last_ok_at = lease.state.last_ok_at ?? null;
    state.last_ok_at = report.last_ok_at;
    if (!(await store.finish(run, holder, state, storedReport(report)))) report.stopped = "lease_lost";
  }
  return { ran: true, report, state };
}

/** The report as stored: the id lists capped, so a big step stays a small row. */
function storedReport(report: StepReport): StepReport {
  const kinds = Object.fromEntries(Object.entries(report.kinds).map(([kind, step]) => [kind, {
    ...step!,
    upserted: step!.upserted.slice(0, reportedIds),
    invalid: step!.invalid.slice(0, reportedIds),
  }]));
  const sweep = report.sweep && {
    ...report.sweep,
    tombstoned: Object.fromEntries(Object.entries(report.sweep.tombstoned).map(([kind, ids]) => [kind, ids!.slice(0, reportedIds)])),
  };
  return { ...report, kinds, sweep };
}

function emptyKindStep(): KindStep {
  return {
    read: 0,
    changed: 0,
    repaired: 0,
    unchanged: 0,
    deferred: 0,
    outcomes: { applied: 0, stale: 0, duplicate: 0, ignored: 0, failed: 0 },
    invalid: [],
    upserted: [],
    newest_updated_at: null,
    oldest_repaired_at: null,
    caught_up: false,
  };
}

/** The lease was taken over: this step must not write its cursor. */
class LeaseLost extends Error {
  override name = "LeaseLost";
}

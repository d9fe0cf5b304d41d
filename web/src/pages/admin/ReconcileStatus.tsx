import { Spinner } from "../../components/States.tsx";
import { isAdminsOnlyError } from "../../data/sync-health/index.ts";
import { type ReconcileReport, type ReconcileStep, useReconcileReportQuery, type WebhooksMissing } from "../../data/reconcile/index.ts";
import { formatTimestamp } from "../../lib/dates.ts";
import { formatCount, formatDuration } from "../../lib/numbers.ts";
import "./ReconcileStatus.css";

const stopped: Record<ReconcileStep["stopped"], string> = {
  caught_up: "Caught up",
  budget: "Budget used: the next run goes on from the cursor",
  rate_limited: "Rate limited by Clerk: the next run goes on from the cursor",
  clerk_unavailable: "Clerk unavailable: the next run goes on from the cursor",
  lease_lost: "Lease taken over by another step",
  failed: "Failed",
};

/**
 * The scheduled reconcile, for the health page: the webhooks-missing alarm with what to
 * do about it, and the last step (when, how far the cursor is, what it repaired, who
 * holds the lease, when the next run is due). Renders its own loading, error and empty states.
 */
export function ReconcileStatus({ userId, refreshMs }: { userId: string; refreshMs?: number }) {
  const query = useReconcileReportQuery(userId, { refreshMs });
  if (query.isPending) {
    return (
      <section className="card reconcile" aria-label="Scheduled reconcile">
        <Spinner label="Loading the scheduled reconcile" />
      </section>
    );
  }
  // The page itself says "admins only"; this part has nothing to add.
  if (query.isError && isAdminsOnlyError(query.error)) return null;
  if (query.isError) {
    return (
      <section className="card reconcile" aria-labelledby="reconcile-title">
        <h2 id="reconcile-title" className="reconcile__title">Scheduled reconcile</h2>
        <p className="reconcile__error">
          Its status could not be loaded ({query.error.message}).{" "}
          <button type="button" className="link-button" onClick={() => void query.refetch()}>
            Try again
          </button>
        </p>
      </section>
    );
  }
  const report = query.data;
  return (
    <>
      {report?.webhooks_missing ? <WebhooksMissingAlert missing={report.webhooks_missing} /> : null}
      <section className="card reconcile" aria-labelledby="reconcile-title">
        <h2 id="reconcile-title" className="reconcile__title">Scheduled reconcile</h2>
        {report?.last_step ? <LastStep report={report} step={report.last_step} /> : <NotScheduled installed={report !== null} />}
      </section>
    </>
  );
}

/** Clerk changed things no webhook delivered: the endpoint is broken or disabled. */
function WebhooksMissingAlert({ missing }: { missing: WebhooksMissing }) {
  const kinds = missing.kinds.map((kind) => kind.replace(".deleted", " deletions")).join(", ");
  return (
    <div className="health-alert health-alert--danger" role="alert">
      <h2 className="health-alert__title">Webhooks are missing</h2>
      <p>
        The scheduled reconcile had to repair {formatCount(missing.repaired)} change{missing.repaired === 1 ? "" : "s"} ({kinds}) that no webhook
        delivered, the first from {formatTimestamp(missing.since)}. It has already repaired the data; webhooks are still needed for changes to arrive
        in seconds rather than at the next run.
      </p>
      <ol className="reconcile__steps">
        <li>
          Check the endpoint in Clerk's dashboard (Configure → Webhooks → your endpoint): is it disabled, or are its message attempts failing? Check the{" "}
          <code>clerk-webhook</code> function's logs and its signing secret.
        </li>
        <li>
          Once it answers again, recover the failed messages from {formatTimestamp(missing.since)} (the endpoint's Recover failed messages), so the
          ledger has each event.
        </li>
        <li>This alarm clears itself when the next changes arrive by webhook before the reconcile sees them.</li>
      </ol>
    </div>
  );
}

function LastStep({ report, step }: { report: ReconcileReport; step: ReconcileStep }) {
  const kinds = Object.entries(step.kinds);
  const repaired = kinds.reduce((n, [, k]) => n + (k?.repaired ?? 0), 0);
  const tombstoned = Object.values(step.sweep?.tombstoned ?? {}).reduce((n, ids) => n + ids.length, 0);
  const users = report.cursors?.users;
  return (
    <dl className="reconcile__facts">
      <div>
        <dt>Last step</dt>
        <dd>
          {formatTimestamp(step.finished_at)}: {stopped[step.stopped]}
          {step.error ? <span className="reconcile__detail"> ({step.error})</span> : null}
        </dd>
      </div>
      <div>
        <dt>Repaired</dt>
        <dd>
          {formatCount(repaired)} upserted{step.sweep ? `, ${formatCount(tombstoned)} tombstoned` : ""}, of{" "}
          {kinds.map(([kind, k]) => `${formatCount(k?.read ?? 0)} ${kind}`).join(", ")} read in {formatCount(step.requests)} Backend API requests
        </dd>
      </div>
      <div>
        <dt>Cursor</dt>
        <dd>
          {users && users.updated_at > 0 ? `users changed up to ${formatTimestamp(new Date(users.updated_at).toISOString())} (row ${formatCount(users.offset)})` : "users: from the start"}
          {report.cursors?.organizations ? `; organizations at ${formatCount(report.cursors.organizations.offset)}` : ""}
          {report.cursors?.memberships ? `; memberships at ${formatCount(report.cursors.memberships.offset)}` : ""}
        </dd>
      </div>
      {step.sweep && Object.keys(step.sweep.refused).length > 0 ? (
        <div>
          <dt>Deletion sweep</dt>
          <dd className="reconcile__warning">
            Refused:{" "}
            {Object.entries(step.sweep.refused).map(([kind, r]) => `${formatCount(r.gone)} of ${formatCount(r.live)} ${kind} gone, more than ${formatCount(r.limit)}`).join("; ")}.
            Check CLERK_SECRET_KEY, then run <code>npm run clerk -- reconcile --max-deletes N</code> if the deletions are real.
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Lease</dt>
        <dd>{report.holder ? `held by ${report.holder} until ${formatTimestamp(report.lease_until!)}` : "free"}</dd>
      </div>
      <div>
        <dt>Next run</dt>
        <dd>
          {report.next_run_at
            ? `${formatTimestamp(report.next_run_at)} (every ${formatDuration(report.schedule_seconds!)})`
            : "not scheduled: the last step was run by hand"}
        </dd>
      </div>
    </dl>
  );
}

function NotScheduled({ installed }: { installed: boolean }) {
  return (
    <p className="reconcile__empty">
      {installed ? "No reconcile step has run yet." : "This database has no reconcile yet (apply the migrations)."} Without it, only the time since webhooks
      stopped arriving can tell that some are missing. Schedule <code>clerk-reconcile</code> every few minutes with pg_cron and pg_net
      (supabase/snippets/schedule-reconcile.sql, docs/operations.md), or locally with <code>STACK_RECONCILE_INTERVAL=60</code>.
    </p>
  );
}

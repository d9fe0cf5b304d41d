import { useId } from "react";
import { Link, useSearchParams } from "react-router";
import { useAuth } from "../../auth/auth.ts";
import { EmptyState, ErrorState, PageSpinner } from "../../components/States.tsx";
import { type HealthSettings, isAdminsOnlyError, type SyncHealthReport, useSyncHealthReportQuery } from "../../data/sync-health/index.ts";
import { formatTimestamp } from "../../lib/dates.ts";
import { formatBytes, formatCount, formatDuration, formatLag } from "../../lib/numbers.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { EventsChart } from "./EventsChart.tsx";
import { FailedEvents } from "./FailedEvents.tsx";
import { useSignInPath } from "../../auth/signInPath.ts";
import "./HealthPage.css";

const windowChoices = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 360, label: "6 hours" },
  { minutes: 1440, label: "24 hours" },
];
const staleChoices = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 900, label: "15 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 21600, label: "6 hours" },
  { seconds: 86400, label: "24 hours" },
];
export const defaultHealthSettings: HealthSettings = { windowMinutes: 60, staleAfterSeconds: 3600 };

/** /admin/health — the sync's health, for admins: events per minute, last event and lag, failed events to replay. */
export function HealthPage({ refreshMs }: { refreshMs?: number }) {
  const { isLoaded, userId } = useAuth();
  const signInPath = useSignInPath();
  useDocumentTitle("Sync health");
  if (!isLoaded) return <PageSpinner label="Checking your session" />;
  if (!userId) {
    return (
      <EmptyState
        title="Sign in to see sync health"
        action={
          <Link className="button button--primary" to={signInPath}>
            Sign in
          </Link>
        }
      >
        <p>This page is for admins.</p>
      </EmptyState>
    );
  }
  return <HealthReport key={userId} userId={userId} refreshMs={refreshMs} />;
}

/** The window and the stall threshold live in the URL (?window=60&stale=3600): a setting can be bookmarked. */
function useHealthSettings(): [HealthSettings, (change: Partial<HealthSettings>) => void] {
  const [params, setParams] = useSearchParams();
  const read = (name: string, fallback: number, max: number) => {
    const value = Number(params.get(name));
    return Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
  };
  const settings = {
    windowMinutes: read("window", defaultHealthSettings.windowMinutes, 1440),
    staleAfterSeconds: read("stale", defaultHealthSettings.staleAfterSeconds, 30 * 86400),
  };
  const change = (next: Partial<HealthSettings>) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next.windowMinutes !== undefined) updated.set("window", String(next.windowMinutes));
        if (next.staleAfterSeconds !== undefined) updated.set("stale", String(next.staleAfterSeconds));
        return updated;
      },
      { replace: true },
    );
  return [settings, change];
}

function HealthReport({ userId, refreshMs }: { userId: string; refreshMs?: number }) {
  const [settings, changeSettings] = useHealthSettings();
  const report = useSyncHealthReportQuery(userId, settings, { refreshMs });

  if (report.isPending) return <PageSpinner label="Loading sync health" />;
  if (report.isError && isAdminsOnlyError(report.error)) return <AdminsOnly />;
  if (report.isError && !report.data) {
    return <ErrorState title="Sync health could not be loaded" error={report.error} onRetry={() => void report.refetch()} />;
  }

  const data = report.data!;
  const status = data.stalled ? "stalled" : data.failed_count > 0 ? "failing" : "ok";
  return (
    <section className="health" aria-labelledby="health-title">
      <div className="page-header">
        <div className="health__heading">
          <h1 id="health-title">Sync health</h1>
          <span className={`status-pill status-pill--${status}`}>{status === "ok" ? "Healthy" : status === "stalled" ? "Stalled" : "Failed events"}</span>
        </div>
        <p className="page-header__lead health__updated">
          Updated {formatTimestamp(data.generated_at)}
          <button type="button" className="button button--quiet" onClick={() => void report.refetch()} disabled={report.isFetching}>
            {report.isFetching ? "Refreshing…" : "Refresh"}
          </button>
        </p>
      </div>
      <HealthToolbar settings={settings} onChange={changeSettings} />
      {report.isRefetchError ? (
        <div className="inline-alert" role="alert">
          The report could not be refreshed; these numbers may be out of date.{" "}
          <button type="button" className="link-button" onClick={() => void report.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      <StallWarning report={data} />
      <HealthStats report={data} />
      <div className={report.isPlaceholderData ? "health__stale" : undefined}>
        <EventsChart perMinute={data.per_minute} />
      </div>
      <FailedEvents events={data.failed} total={data.failed_count} />
    </section>
  );
}

function HealthToolbar({ settings, onChange }: { settings: HealthSettings; onChange: (change: Partial<HealthSettings>) => void }) {
  const windowId = useId();
  const staleId = useId();
  const windows = withCurrent(windowChoices.map((c) => ({ value: c.minutes, label: c.label })), settings.windowMinutes, (v) => `${v} minutes`);
  const stales = withCurrent(staleChoices.map((c) => ({ value: c.seconds, label: c.label })), settings.staleAfterSeconds, (v) => formatDuration(v));
  return (
    <form className="toolbar" onSubmit={(event) => event.preventDefault()} aria-label="Report settings">
      <div className="field toolbar__country">
        <label htmlFor={windowId}>Show the last</label>
        <select id={windowId} value={settings.windowMinutes} onChange={(event) => onChange({ windowMinutes: Number(event.target.value) })}>
          {windows.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field toolbar__country">
        <label htmlFor={staleId}>Warn when no webhook for</label>
        <select id={staleId} value={settings.staleAfterSeconds} onChange={(event) => onChange({ staleAfterSeconds: Number(event.target.value) })}>
          {stales.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

/** The choices, plus the current value when a URL set one that is not among them. */
function withCurrent(choices: Array<{ value: number; label: string }>, current: number, label: (value: number) => string) {
  return choices.some((c) => c.value === current) ? choices : [...choices, { value: current, label: label(current) }].sort((a, b) => a.value - b.value);
}

/** A stalled sync is silent: Clerk keeps working and nothing fails, so say it loudly. */
function StallWarning({ report }: { report: SyncHealthReport }) {
  if (!report.stalled) return null;
  const limit = report.stale_after_seconds ? formatDuration(report.stale_after_seconds) : null;
  return (
    <div className="health-alert" role="alert">
      <h2 className="health-alert__title">
        {report.last_event_age_seconds !== null ? `No webhook has arrived for ${formatDuration(report.last_event_age_seconds)}` : "No webhook has ever arrived"}
      </h2>
      <p>
        {limit ? `That is longer than the ${limit} you set. ` : null}A stalled sync is silent: Clerk keeps working while nothing reaches this
        database. Check the endpoint in Clerk (Webhooks → your endpoint → Message Attempts) and the <code>clerk-webhook</code> function’s logs, then
        run <code>npm run clerk -- reconcile</code> to repair what was missed.
      </p>
    </div>
  );
}

/** Each figure says what it counts, and each caption speaks of its own headline. */
function HealthStats({ report }: { report: SyncHealthReport }) {
  const lag = report.lag_seconds;
  const windowLength = report.window_minutes === 60 ? "hour" : (windowChoices.find((c) => c.minutes === report.window_minutes)?.label ?? `${report.window_minutes} minutes`);
  const received = report.per_minute.reduce((sum, m) => sum + m.applied + m.stale + m.ignored + m.failed, 0);
  const fromApi = report.api_rows_in_window.backfill + report.api_rows_in_window.reconcile + report.api_rows_in_window.pull;
  return (
    <dl className="stat-grid">
      <div className={`card stat${report.stalled ? " stat--warning" : ""}`}>
        <dt className="stat__label">Last webhook</dt>
        <dd className="stat__value">{report.last_event_age_seconds !== null ? `${formatDuration(report.last_event_age_seconds)} ago` : "Never"}</dd>
        <dd className="stat__detail">
          {report.last_event_received_at
            ? `Received ${formatTimestamp(report.last_event_received_at)}${lag.last !== null ? `, ${formatLag(lag.last)} after the event` : ""}.`
            : "No webhook has arrived yet."}
        </dd>
      </div>
      <div className="card stat">
        <dt className="stat__label" title="When the webhook arrived minus when the event happened in Clerk">
          Lag, median
        </dt>
        <dd className="stat__value">{lag.p50 !== null ? formatLag(lag.p50) : "—"}</dd>
        <dd className="stat__detail">
          {lag.p50 !== null
            ? `Half the webhooks of the last ${windowLength} arrived within ${formatLag(lag.p50)} of their event${lag.p95 !== null ? `, 95 % within ${formatLag(lag.p95)}` : ""}.`
            : `No webhooks in the last ${windowLength}.`}
        </dd>
      </div>
      <div className={`card stat${report.failed_count > 0 ? " stat--danger" : ""}`}>
        <dt className="stat__label">Failed events</dt>
        <dd className="stat__value">{formatCount(report.failed_count)}</dd>
        <dd className="stat__detail">{report.failed_count > 0 ? "Messages the database refused, waiting for a replay below." : "No message is waiting for a replay."}</dd>
      </div>
      <div className="card stat">
        <dt className="stat__label">New webhooks, last {windowLength}</dt>
        <dd className="stat__value">{formatCount(received)}</dd>
        <dd className="stat__detail">
          {`First deliveries. ${formatCount(report.redelivered_in_window)} ${report.redelivered_in_window === 1 ? "message" : "messages"} came again as a duplicate (a retry or replay), changing nothing.`}
          {fromApi > 0 ? ` ${formatCount(fromApi)} rows came from backfill, reconcile or sign-in pulls.` : null}
        </dd>
      </div>
      <div className="card stat">
        <dt className="stat__label">Ledger size</dt>
        <dd className="stat__value">{formatBytes(report.ledger_bytes)}</dd>
        <dd className="stat__detail">{formatCount(report.ledger_rows)} messages; the size counts their indexes.</dd>
      </div>
    </dl>
  );
}

function AdminsOnly() {
  return (
    <EmptyState
      title="Admins only"
      action={
        <Link className="button" to="/">
          Go to the feed
        </Link>
      }
    >
      <p>The sync health page is for admins. You are signed in, but your session token does not make you one.</p>
      <p className="state__text--quiet">
        Admins are users whose Clerk public metadata has <code>"role": "admin"</code>, carried into the session token by the template{" "}
        <code>{'{"metadata": "{{user.public_metadata}}"}'}</code>.
      </p>
    </EmptyState>
  );
}

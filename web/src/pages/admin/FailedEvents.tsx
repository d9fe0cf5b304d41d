import { useId } from "react";
import { type FailedEvent, ReplayError, type ReplayAnswer, useReplayEventMutation } from "../../data/sync-health/index.ts";
import { formatTimestamp } from "../../lib/dates.ts";
import { formatCount } from "../../lib/numbers.ts";
import "./FailedEvents.css";

export interface ReplayNotice {
  tone: "success" | "warning";
  text: string;
}

/** The ledger's newest failed events, each with a Replay button. */
export function FailedEvents({ events, total, onReplayed }: { events: FailedEvent[]; total: number; onReplayed: (notice: ReplayNotice) => void }) {
  return (
    <section className="card failed" aria-labelledby="failed-title">
      <div className="failed__header">
        <h2 id="failed-title" className="failed__title">
          Failed events
        </h2>
        <span className={`badge${total > 0 ? " badge--danger" : ""}`}>{formatCount(total)}</span>
      </div>
      <p className="failed__intro">
        Events the database refused. Each keeps its payload: once the cause is fixed, <strong>Replay</strong> applies it through the same mappers as the
        webhook (<code>npm run clerk -- replay-failed</code> does the same for all of them).
      </p>
      {events.length === 0 ? (
        <p className="failed__empty">No failed events. Everything Clerk sent was stored.</p>
      ) : (
        <ul className="failed__list" aria-label="Failed events">
          {events.map((event) => (
            <FailedEventItem key={event.svix_id} event={event} onReplayed={onReplayed} />
          ))}
        </ul>
      )}
      {total > events.length ? (
        <p className="failed__more">
          Showing the newest {formatCount(events.length)} of {formatCount(total)}.
        </p>
      ) : null}
    </section>
  );
}

function FailedEventItem({ event, onReplayed }: { event: FailedEvent; onReplayed: (notice: ReplayNotice) => void }) {
  const titleId = useId();
  const replay = useReplayEventMutation({
    onSuccess: (answer) => onReplayed(noticeFor(answer)),
    onError: (error) => {
      // Someone (or a second click) replayed it first: the list is refetched and the row goes.
      if (error instanceof ReplayError && error.status === 409) onReplayed({ tone: "success", text: error.message });
    },
  });
  const error = replay.isError && !(replay.error instanceof ReplayError && replay.error.status === 409) ? replay.error : null;
  return (
    <li className="failed-event" aria-labelledby={titleId}>
      <div className="failed-event__main">
        <p className="failed-event__title" id={titleId}>
          <code>{event.type}</code> {event.object_id ? <span className="failed-event__object">{event.object_id}</span> : null}
        </p>
        <dl className="failed-event__facts">
          <div>
            <dt>Message</dt>
            <dd>
              <code>{event.svix_id}</code>
            </dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd>{formatTimestamp(event.received_at)}</dd>
          </div>
          <div>
            <dt>Attempts</dt>
            <dd>{event.attempts}</dd>
          </div>
          {event.source !== "webhook" ? (
            <div>
              <dt>From</dt>
              <dd>{event.source}</dd>
            </div>
          ) : null}
        </dl>
        {event.error ? <p className="failed-event__error">{event.error}</p> : null}
        {error ? (
          <p className="field__error" role="alert">
            The replay did not run: {error.message}
          </p>
        ) : null}
      </div>
      <button type="button" className="button failed-event__replay" onClick={() => replay.mutate(event.svix_id)} disabled={replay.isPending} aria-describedby={titleId}>
        {replay.isPending ? "Replaying…" : "Replay"}
      </button>
    </li>
  );
}

function noticeFor(answer: ReplayAnswer): ReplayNotice {
  switch (answer.outcome) {
    case "applied":
      return { tone: "success", text: `Replayed ${answer.svix_id}: applied.` };
    case "stale":
      return { tone: "success", text: `Replayed ${answer.svix_id}: stale. A newer change had already arrived, so nothing was overwritten.` };
    case "ignored":
      return { tone: "success", text: `Replayed ${answer.svix_id}: ignored, an event type this sync does not store.` };
    case "failed":
      return { tone: "warning", text: `Replayed ${answer.svix_id}, but it failed again: its cause is not fixed yet. The error is in the list.` };
    default:
      return { tone: "success", text: `Replayed ${answer.svix_id}: ${answer.outcome}.` };
  }
}

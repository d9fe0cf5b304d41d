import { useId, useState } from "react";
import { type FailedEvent, ReplayError, type ReplayAnswer, useDiscardEventMutation, useReplayEventMutation } from "../../data/sync-health/index.ts";
import { Token } from "../../components/Token.tsx";
import { formatTimestamp } from "../../lib/dates.ts";
import { formatCount } from "../../lib/numbers.ts";
import "./FailedEvents.css";

export interface ReplayNotice {
  tone: "success" | "warning";
  text: string;
}

/**
 * The ledger's newest failed events, each with a Replay button. A replay's answer shows
 * where its button was; an event replayed away stays in its place, with that answer,
 * until the page is left, so the answer does not vanish with the row.
 */
export function FailedEvents({ events, total }: { events: FailedEvent[]; total: number }) {
  const [answers, setAnswers] = useState<ReadonlyMap<string, { event: FailedEvent; notice: ReplayNotice }>>(new Map());
  const answer = (event: FailedEvent, notice: ReplayNotice) => setAnswers((current) => new Map(current).set(event.svix_id, { event, notice }));
  const failing = new Set(events.map((event) => event.svix_id));
  const replayedAway = [...answers.values()].filter(({ event }) => !failing.has(event.svix_id)).map(({ event }) => event);
  const rows = [...events, ...replayedAway].sort((a, b) => b.received_at.localeCompare(a.received_at));
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
        webhook (<code>npm run clerk -- replay-failed</code> does the same for all of them). One that no fix can make apply can be <strong>discarded</strong>:
        it is kept in the ledger as discarded, with your name, and no longer counts as failed (<code>npm run clerk -- discard-failed --id …</code>).
      </p>
      {rows.length > 0 ? (
        <ul className="failed__list" aria-label="Failed events">
          {rows.map((event) => (
            <FailedEventItem
              key={event.svix_id}
              event={event}
              notice={answers.get(event.svix_id)?.notice ?? null}
              stillFailing={failing.has(event.svix_id)}
              onAnswer={(notice) => answer(event, notice)}
            />
          ))}
        </ul>
      ) : null}
      {events.length === 0 ? <p className="failed__empty">No failed events. Everything Clerk sent was stored.</p> : null}
      {total > events.length ? (
        <p className="failed__more">
          Showing the newest {formatCount(events.length)} of {formatCount(total)}.
        </p>
      ) : null}
    </section>
  );
}

interface FailedEventItemProps {
  event: FailedEvent;
  /** The last replay's answer, shown in place of the button (beside it when it failed again). */
  notice: ReplayNotice | null;
  /** Still in the ledger's failed list (not yet replayed away). */
  stillFailing: boolean;
  onAnswer: (notice: ReplayNotice) => void;
}

function FailedEventItem({ event, notice, stillFailing, onAnswer }: FailedEventItemProps) {
  const titleId = useId();
  const replay = useReplayEventMutation({
    onSuccess: (answer) => onAnswer(noticeFor(answer)),
    onError: (error) => {
      // Someone (or a second click) replayed it first: the list is refetched and the row goes.
      if (error instanceof ReplayError && error.status === 409) onAnswer({ tone: "success", text: error.message });
    },
  });
  const [confirmingDiscard, setConfirmingDiscard] = useState(false);
  const discard = useDiscardEventMutation({
    onSuccess: (answer) => onAnswer({ tone: "success", text: `Discarded ${answer.svix_id}, recorded as discarded by ${answer.discarded_by}. It no longer counts as failed.` }),
    onError: (error) => {
      // Settled meanwhile (replayed or discarded by someone else): the refetched list drops it.
      if (error instanceof ReplayError && error.status === 409) onAnswer({ tone: "success", text: error.message });
    },
    onSettled: () => setConfirmingDiscard(false),
  });
  const shown = (mutation: { isError: boolean; error: Error | null }) =>
    mutation.isError && !(mutation.error instanceof ReplayError && mutation.error.status === 409) ? mutation.error : null;
  const error = shown(replay);
  const discardError = shown(discard);
  const busy = replay.isPending || discard.isPending;
  const done = notice?.tone === "success" || !stillFailing;
  return (
    <li className={`failed-event${done ? " failed-event--done" : ""}`} aria-labelledby={titleId}>
      <div className="failed-event__main">
        <p className="failed-event__title" id={titleId}>
          <code>{event.type}</code>{" "}
          {event.object_id ? (
            <span className="failed-event__object">
              <Token value={event.object_id} code={false} />
            </span>
          ) : null}
        </p>
        <dl className="failed-event__facts">
          <div>
            <dt>Message</dt>
            <dd>
              <Token value={event.svix_id} />
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
        {event.error && !done ? <p className="failed-event__error">{event.error}</p> : null}
        {error ? (
          <p className="field__error" role="alert">
            The replay did not run: {error.message}
          </p>
        ) : null}
        {discardError ? (
          <p className="field__error" role="alert">
            The discard did not run: {discardError.message}
          </p>
        ) : null}
        {confirmingDiscard && !done ? (
          <div className="failed-event__confirm" role="group" aria-label={`Discard ${event.svix_id}?`}>
            <p>Discard it for good? It will never be applied, and the ledger records that you discarded it.</p>
            <button type="button" className="button failed-event__discard" onClick={() => discard.mutate(event.svix_id)} disabled={busy}>
              {discard.isPending ? "Discarding…" : "Discard for good"}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setConfirmingDiscard(false)} disabled={discard.isPending}>
              Cancel
            </button>
          </div>
        ) : null}
      </div>
      <div className="failed-event__replay">
        {notice ? (
          <p className={`replay-notice replay-notice--${notice.tone}`} role="status">
            {notice.text}
          </p>
        ) : null}
        {done ? null : (
          <div className="failed-event__actions">
            <button type="button" className="button" onClick={() => replay.mutate(event.svix_id)} disabled={busy} aria-describedby={titleId}>
              {replay.isPending ? "Replaying…" : notice ? "Replay again" : "Replay"}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setConfirmingDiscard(true)} disabled={busy || confirmingDiscard} aria-describedby={titleId}>
              Discard
            </button>
          </div>
        )}
      </div>
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

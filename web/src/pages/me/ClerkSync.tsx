import { useEffect, useRef, useState } from "react";
import { useSignOutDeletedAccount } from "../../auth/useSignOutDeletedAccount.ts";
import { Spinner } from "../../components/States.tsx";
import { SelfSyncError, useSyncMyUserMutation } from "../../data/self-sync/index.ts";
import { useSecondsLeft } from "../../lib/useSecondsLeft.ts";
import "./ClerkSync.css";

/**
 * The on-demand sync of the signed-in user (clerk-sync-self), for My profile. When their
 * row is missing it pulls at once, instead of waiting for a webhook that may be late or
 * never come, and tries again by itself when the function says when. A `deleted`
 * answer signs the user out. Otherwise it pulls only on request ("Refresh from Clerk").
 */
export function useClerkSync(userId: string, rowMissing: boolean) {
  const signOutDeleted = useSignOutDeletedAccount();
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const sync = useSyncMyUserMutation(userId, {
    onSuccess: (answer) => {
      setRetryAt(null);
      if (answer.result === "deleted") return signOutDeleted();
    },
    onError: (error) => {
      const seconds = error instanceof SelfSyncError ? error.retryAfterSeconds : null;
      setRetryAt(seconds === null ? null : Date.now() + seconds * 1000);
    },
  });
  const secondsLeft = useSecondsLeft(retryAt);

  // Once per page, however often React runs the effect (StrictMode runs it twice).
  const pulledForMissingRow = useRef(false);
  const { mutate, isIdle, isError } = sync;
  useEffect(() => {
    if (rowMissing && isIdle && !pulledForMissingRow.current) {
      pulledForMissingRow.current = true;
      mutate();
    }
  }, [rowMissing, isIdle, mutate]);
  // Still missing after a 429 or 503: the function said when to try again.
  useEffect(() => {
    if (rowMissing && isError && retryAt !== null && secondsLeft === 0) {
      setRetryAt(null);
      mutate();
    }
  }, [rowMissing, isError, retryAt, secondsLeft, mutate]);

  return { ...sync, secondsLeft };
}

export type ClerkSync = ReturnType<typeof useClerkSync>;

/** Signed in, but no row here yet: the pull's progress, and what went wrong if it did. */
export function PullingProfile({ sync, userId }: { sync: ClerkSync; userId: string }) {
  const failure = sync.error instanceof SelfSyncError ? sync.error.failure : sync.error ? "refused" : null;
  // The pull ran and the row was read again: still none means it is tombstoned here
  // while Clerk has the user (a deletion newer than Clerk's version of them).
  if (sync.isSuccess && sync.data.result === "synced") {
    return (
      <div className="state state--error" role="alert">
        <h1 className="state__title">Your profile is not in this app</h1>
        <p className="state__text">
          Clerk has your account, but this app's copy of it was deleted after Clerk last changed it. Ask the app's administrators to
          restore it. Your user id is <code>{userId}</code>.
        </p>
        <button type="button" className="button" onClick={() => sync.mutate()}>
          Try again
        </button>
      </div>
    );
  }
  if (!failure || sync.isPending) {
    return (
      <div className="state waiting" role="status" aria-live="polite">
        <Spinner label="Bringing your profile from Clerk" />
        <h1 className="state__title">Setting up your profile…</h1>
        <p className="state__text">You are signed in. Your account is being brought over from Clerk; this takes a moment.</p>
      </div>
    );
  }
  return (
    <div className="state state--error" role="alert">
      <h1 className="state__title">{failure === "rate_limited" || failure === "clerk_unavailable" ? "Your profile is on its way" : "Your profile could not be set up"}</h1>
      <p className="state__text">{failureText(sync)}</p>
      {sync.secondsLeft > 0 ? (
        <p className="state__text state__text--quiet">Trying again in {sync.secondsLeft} s. Your user id is <code>{userId}</code>.</p>
      ) : (
        <button type="button" className="button" onClick={() => sync.mutate()}>
          Try again
        </button>
      )}
    </div>
  );
}

/** "Refresh from Clerk" on My profile: pull the Clerk-owned fields now, and say how it went. */
export function RefreshFromClerk({ sync }: { sync: ClerkSync }) {
  const waiting = sync.secondsLeft > 0;
  return (
    <div className="clerk-sync">
      <button type="button" className="button" disabled={sync.isPending || waiting} onClick={() => sync.mutate()}>
        {sync.isPending ? "Refreshing from Clerk…" : "Refresh from Clerk"}
      </button>
      {sync.isPending ? (
        <span className="clerk-sync__status" role="status">
          <Spinner label="Refreshing from Clerk" />
        </span>
      ) : sync.isSuccess && sync.data.result === "synced" ? (
        <span className="clerk-sync__status" role="status">
          {sync.data.outcome === "applied" ? "Updated from Clerk." : "Already up to date with Clerk."}
        </span>
      ) : sync.isError ? (
        <span className="clerk-sync__status clerk-sync__status--error" role="alert">
          {failureText(sync)}
        </span>
      ) : null}
    </div>
  );
}

function failureText(sync: ClerkSync): string {
  const error = sync.error;
  const failure = error instanceof SelfSyncError ? error.failure : "refused";
  const when = sync.secondsLeft > 0 ? ` Try again in ${sync.secondsLeft} s.` : " You can try again now.";
  switch (failure) {
    case "rate_limited":
      return `You synced with Clerk a moment ago.${when}`;
    case "clerk_unavailable":
      return `Clerk is not answering right now, so your profile could not be fetched.${when}`;
    case "unreachable":
      return "The sync service could not be reached. Check your connection and try again.";
    case "refused":
      return error?.message ?? "The sync was refused.";
  }
}

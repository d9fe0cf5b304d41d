import { type FormEvent, useId, useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { Avatar } from "../../components/Avatar.tsx";
import { CountryLabel } from "../../components/CountryLabel.tsx";
import { CardSkeletons, EmptyState, ErrorState, Spinner } from "../../components/States.tsx";
import { Token } from "../../components/Token.tsx";
import { useFeedQuery, usePublicProfileQuery } from "../../data/profiles/index.ts";
import { displayName } from "../../lib/names.ts";
import { useDebouncedValue } from "../../lib/useDebouncedValue.ts";
import { returnPathFrom } from "../signInPath.ts";
import { useLocalSession } from "./LocalAuthProvider.tsx";
import "./LocalSignInPanel.css";

/**
 * Local development only: pick any synced user and act as them. Never part of a
 * build with a Clerk key.
 */
export function LocalSignInPanel() {
  const { signInAs, userId } = useLocalSession();
  const navigate = useNavigate();
  const { search: query } = useLocation();
  const searchId = useId();
  const [searchText, setSearchText] = useState("");
  const search = useDebouncedValue(searchText, 250);
  const users = useFeedQuery({ search: search.trim(), country: null });
  const people = users.data?.pages.flatMap((page) => page.profiles) ?? [];

  // Back to the page that asked for a sign-in (My profile when none did).
  const choose = (id: string) => {
    signInAs(id);
    navigate(returnPathFrom(query), { replace: true });
  };

  return (
    <section className="local-sign-in" aria-labelledby="local-sign-in-title">
      <div className="local-banner" role="note">
        <strong>Local development only.</strong> No Clerk key is configured, so this page lets you act as any synced user with
        a token from the local stack’s <code>/dev/token</code>. Builds with <code>VITE_CLERK_PUBLISHABLE_KEY</code> sign in
        through Clerk and do not contain this page.
        <p className="local-banner__more">
          Tokens carry each user’s public metadata, as Clerk’s session token template <code>{'{"metadata": "{{user.public_metadata}}"}'}</code> does, so a
          user whose public metadata has <code>"role": "admin"</code> is a sync admin and sees the health page. Make {userId ? "yourself" : "one"} with{" "}
          <code>npm run clerk -- send user.updated --user {userId ?? "user_…"} --set public_metadata='{'{"role":"admin"}'}'</code>, then sign in again
          {userId ? null : " (each user’s id is under their name below)"}.
        </p>
      </div>
      <div className="page-header">
        <h1 id="local-sign-in-title">Sign in as…</h1>
        <p className="page-header__lead">
          Choose a user. {userId ? <SignedInAs userId={userId} /> : null}
        </p>
      </div>

      <div className="field">
        <label htmlFor={searchId}>Find a user</label>
        <input id={searchId} type="search" placeholder="Name or username" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
      </div>

      {users.isPending ? (
        <CardSkeletons count={3} label="Loading users" />
      ) : users.isError ? (
        <ErrorState title="Users could not be loaded" error={users.error} onRetry={() => void users.refetch()} />
      ) : people.length === 0 ? (
        <EmptyState title={search ? "Nobody matches" : "No synced users yet"}>
          <p>
            Send one with <code>npm run clerk -- send user.created</code>, or sign in with an id below.
          </p>
        </EmptyState>
      ) : (
        <ul className="user-picker" aria-label="Synced users">
          {people.map((person) => {
            const name = displayName(person);
            return (
              <li key={person.clerk_id}>
                <button type="button" className="user-picker__choice" onClick={() => choose(person.clerk_id)}>
                  <Avatar src={person.image_url} name={name} size="small" />
                  <span className="user-picker__text">
                    <span className="user-picker__name">Sign in as {name}</span>
                    <span className="user-picker__meta">
                      {person.username ? <span>@{person.username}</span> : null}
                      {person.country ? <CountryLabel code={person.country} /> : null}
                    </span>
                    <span className="user-picker__id">
                      <Token value={person.clerk_id} />
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {users.hasNextPage ? (
        <p>
          <button type="button" className="button" onClick={() => void users.fetchNextPage()} disabled={users.isFetchingNextPage}>
            {users.isFetchingNextPage ? <Spinner label="Loading more users" /> : "More users"}
          </button>
        </p>
      ) : null}

      <SignInById onSignIn={choose} />
    </section>
  );
}

/** "You are signed in as Ada Lovelace.", by name once it has loaded. */
function SignedInAs({ userId }: { userId: string }) {
  const profile = usePublicProfileQuery(userId);
  if (profile.isPending) return <>You are signed in.</>;
  return profile.data ? (
    <>You are signed in as {displayName(profile.data)}.</>
  ) : (
    <>
      You are signed in as a user who has not synced yet (<Token value={userId} />).
    </>
  );
}

/** Any id, synced or not: how to see the "not synced yet" state of a first sign-in. */
function SignInById({ onSignIn }: { onSignIn: (id: string) => void }) {
  const inputId = useId();
  const [id, setId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (!/^user_[A-Za-z0-9]+$/.test(trimmed)) {
      setError("A Clerk user id looks like user_2NNEqL2nrIRdJ194ndJqAHwEfxC.");
      return;
    }
    onSignIn(trimmed);
  };
  return (
    <form className="card sign-in-by-id" onSubmit={submit} noValidate>
      <h2 className="section-title">Or sign in with a user id</h2>
      <p className="form-intro">
        For a user whose webhook never came (<code>npm run clerk -- send user.created --no-deliver</code>): My profile pulls them from
        the local stack’s Clerk at once. An id Clerk does not have is signed out as deleted.
      </p>
      <div className={`field${error ? " field--invalid" : ""}`}>
        <label htmlFor={inputId}>Clerk user id</label>
        <div className="inline-form">
          <input
            id={inputId}
            value={id}
            onChange={(event) => {
              setId(event.target.value);
              setError(null);
            }}
            placeholder="user_…"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${inputId}-error` : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" className="button">
            Sign in
          </button>
        </div>
        {error ? (
          <p id={`${inputId}-error`} className="field__error">
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { Avatar } from "../../components/Avatar.tsx";
import { CountryLabel } from "../../components/CountryLabel.tsx";
import { CardSkeletons, EmptyState, ErrorState, Spinner } from "../../components/States.tsx";
import { useFeedQuery } from "../../data/profiles/index.ts";
import { displayName } from "../../lib/names.ts";
import { useDebouncedValue } from "../../lib/useDebouncedValue.ts";
import { useLocalSession } from "./LocalAuthProvider.tsx";
import "./LocalSignInPanel.css";

/**
 * Local development only: pick any synced user and act as them. Never part of a
 * build with a Clerk key.
 */
export function LocalSignInPanel() {
  const { signInAs, userId } = useLocalSession();
  const navigate = useNavigate();
  const searchId = useId();
  const [searchText, setSearchText] = useState("");
  const search = useDebouncedValue(searchText, 250);
  const users = useFeedQuery({ search: search.trim(), country: null });
  const people = users.data?.pages.flatMap((page) => page.profiles) ?? [];

  const choose = (id: string) => {
    signInAs(id);
    navigate("/me");
  };

  return (
    <section className="local-sign-in" aria-labelledby="local-sign-in-title">
      <div className="local-banner" role="note">
        <strong>Local development only.</strong> No Clerk key is configured, so this page lets you act as any synced user with
        a token from the local stack’s <code>/dev/token</code>. Builds with <code>VITE_CLERK_PUBLISHABLE_KEY</code> sign in
        through Clerk and do not contain this page.
        <p className="local-banner__more">
          Tokens carry each user’s public metadata, as Clerk’s session token template <code>{'{"metadata": "{{user.public_metadata}}"}'}</code> does, so a
          user whose public metadata has <code>"role": "admin"</code> is a sync admin and sees the health page. Make one with{" "}
          <code>npm run clerk -- send user.updated --user user_… --set public_metadata='{'{"role":"admin"}'}'</code>, then sign in again.
        </p>
      </div>
      <div className="page-header">
        <h1 id="local-sign-in-title">Sign in as…</h1>
        <p className="page-header__lead">Choose a user. {userId ? <>You are signed in as <code>{userId}</code>.</> : null}</p>
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
                      {person.username ? `@${person.username}` : person.clerk_id}
                      {person.country ? <CountryLabel code={person.country} /> : null}
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
      <p className="form-intro">Useful for a user Clerk has not synced yet: you will see the waiting state until the webhook arrives.</p>
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

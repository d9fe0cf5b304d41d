import { Link } from "react-router";
import { useAuth } from "../../auth/auth.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { ProfileCard } from "../../components/ProfileCard.tsx";
import { EmptyState, ErrorState, PageSpinner } from "../../components/States.tsx";
import { Token } from "../../components/Token.tsx";
import { useCountriesQuery } from "../../data/countries/index.ts";
import { type MyProfile, useMyProfileQuery } from "../../data/my-profile/index.ts";
import type { PublicProfile } from "../../data/profiles/index.ts";
import { formatMonthYear } from "../../lib/dates.ts";
import { displayName } from "../../lib/names.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { type ClerkSync, PullingProfile, RefreshFromClerk, useClerkSync } from "./ClerkSync.tsx";
import { MyOrganizations } from "./MyOrganizations.tsx";
import { ProfileForm } from "./ProfileForm.tsx";
import { useSignInPath } from "../../auth/signInPath.ts";
import "../profile/ProfilePage.css";
import "./MePage.css";

/** /me — my profile: what Clerk holds (read-only) and what I can edit. */
export function MePage({ pollMs }: { pollMs?: number }) {
  const { isLoaded, userId } = useAuth();
  const signInPath = useSignInPath();
  useDocumentTitle("My profile");
  if (!isLoaded) return <PageSpinner label="Checking your session" />;
  if (!userId) {
    return (
      <EmptyState
        title="Sign in to see your profile"
        action={
          <Link className="button button--primary" to={signInPath}>
            Sign in
          </Link>
        }
      >
        <p>Once you are signed in you can write a bio and set your birthday and country.</p>
      </EmptyState>
    );
  }
  return <MyProfileSection key={userId} userId={userId} pollMs={pollMs} />;
}

function MyProfileSection({ userId, pollMs }: { userId: string; pollMs?: number }) {
  const profile = useMyProfileQuery(userId, { pollMs });
  const countries = useCountriesQuery();
  const sync = useClerkSync(userId, profile.data === null);

  if (profile.isPending) return <PageSpinner label="Loading your profile" />;
  if (profile.isError) {
    return <ErrorState title="Your profile could not be loaded" error={profile.error} onRetry={() => void profile.refetch()} />;
  }
  if (profile.data === null) return <PullingProfile sync={sync} userId={userId} />;

  const me = profile.data;
  return (
    <div className="me">
      <div className="page-header">
        <h1>My profile</h1>
        <p className="page-header__lead">
          <Link to={`/u/${encodeURIComponent(me.clerk_id)}`}>View my public page</Link>
        </p>
      </div>
      <div className="me__grid">
        {/* The form first: on a phone it comes before the read-only cards. */}
        <div className="card me__form">
          <ProfileForm profile={me} countries={countries.data ?? null} />
          {countries.isError ? (
            <p className="field__error" role="alert">
              The list of countries could not be loaded.{" "}
              <button type="button" className="link-button" onClick={() => void countries.refetch()}>
                Try again
              </button>
            </p>
          ) : null}
        </div>
        <div className="me__side">
          <ClerkAccount profile={me} sync={sync} />
          <section className="me__preview" aria-labelledby="preview-title">
            <h2 id="preview-title" className="section-title">
              How others see you
            </h2>
            <ProfileCard profile={publicView(me)} />
          </section>
          <MyOrganizations userId={userId} />
        </div>
      </div>
    </div>
  );
}

/** The Clerk-owned half of the row. Shown, never edited: Clerk is where it changes. */
function ClerkAccount({ profile, sync }: { profile: MyProfile; sync: ClerkSync }) {
  const name = displayName(profile);
  const metadata = Object.keys(profile.public_metadata ?? {}).length ? JSON.stringify(profile.public_metadata, null, 2) : null;
  return (
    <section className="card clerk-account" aria-labelledby="account-title">
      <div className="clerk-account__header">
        <Avatar src={profile.image_url} name={name} size="medium" alt={`Your profile picture`} />
        <div>
          <h2 id="account-title" className="clerk-account__name">
            {name}
          </h2>
          {profile.username ? <p className="clerk-account__username">@{profile.username}</p> : null}
        </div>
      </div>
      <dl className="facts">
        <div className="facts__row">
          <dt>Email</dt>
          <dd>{profile.email ? <Token value={profile.email} code={false} /> : "None"}</dd>
        </div>
        <div className="facts__row">
          <dt>User id</dt>
          <dd>
            <Token value={profile.clerk_id} />
          </dd>
        </div>
        {profile.clerk_created_at ? (
          <div className="facts__row">
            <dt>Member since</dt>
            <dd>{formatMonthYear(profile.clerk_created_at)}</dd>
          </div>
        ) : null}
        {metadata ? (
          <div className="facts__row facts__row--block">
            <dt>Public metadata</dt>
            <dd>
              <pre>{metadata}</pre>
            </dd>
          </div>
        ) : null}
      </dl>
      <p className="managed-note">
        <span className="badge">Managed in Clerk</span> Your name, username, email and picture come from your Clerk account. Change them there and they
        update here within seconds.
      </p>
      <RefreshFromClerk sync={sync} />
    </section>
  );
}

/** The row as the public sees it, so the preview shows exactly what others would. */
function publicView(me: MyProfile): PublicProfile {
  return {
    clerk_id: me.clerk_id,
    username: me.username,
    first_name: me.first_name,
    last_name: me.last_name,
    image_url: me.image_url,
    bio: me.bio,
    country: me.country,
    birthday: me.birthday_public ? me.birthday : null,
    created_at: me.clerk_created_at,
  };
}

import { Link, useParams } from "react-router";
import { Avatar } from "../../components/Avatar.tsx";
import { CountryLabel } from "../../components/CountryLabel.tsx";
import { EmptyState, ErrorState, PageSpinner } from "../../components/States.tsx";
import { useAuth } from "../../auth/auth.ts";
import { usePublicProfileQuery } from "../../data/profiles/index.ts";
import { formatCalendarDate, formatMonthYear } from "../../lib/dates.ts";
import { displayName } from "../../lib/names.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import "./ProfilePage.css";

/** /u/:clerkId — anyone's public profile. */
export function ProfilePage() {
  const { clerkId = "" } = useParams();
  const profile = usePublicProfileQuery(clerkId);
  const { userId } = useAuth();
  const name = profile.data ? displayName(profile.data) : null;
  useDocumentTitle(profile.isPending ? null : (name ?? "Profile not found"));

  if (profile.isPending) return <PageSpinner label="Loading profile" />;
  if (profile.isError) {
    return <ErrorState title="This profile could not be loaded" error={profile.error} onRetry={() => void profile.refetch()} />;
  }
  if (!profile.data) {
    return (
      <EmptyState
        title="Profile not found"
        action={
          <Link className="button" to="/">
            Back to everyone
          </Link>
        }
      >
        <p>There is no one here. The link may be wrong, or the account was deleted.</p>
      </EmptyState>
    );
  }

  const person = profile.data;
  return (
    <article className="profile" aria-labelledby="profile-name">
      <div className="profile__hero card">
        <Avatar src={person.image_url} name={name!} size="large" alt={`Profile picture of ${name}`} />
        <div className="profile__heading">
          <h1 id="profile-name">{name}</h1>
          {person.username ? <p className="profile__username">@{person.username}</p> : null}
          {person.clerk_id === userId ? (
            <Link className="button" to="/me">
              Edit my profile
            </Link>
          ) : null}
        </div>
      </div>
      <div className="card profile__details">
        <h2 className="visually-hidden">About</h2>
        {person.bio ? <p className="profile__bio">{person.bio}</p> : <p className="profile__bio profile__bio--empty">{name} has not written a bio yet.</p>}
        <dl className="facts">
          {person.country ? (
            <div className="facts__row">
              <dt>Country</dt>
              <dd>
                <CountryLabel code={person.country} />
              </dd>
            </div>
          ) : null}
          {person.birthday ? (
            <div className="facts__row">
              <dt>Birthday</dt>
              <dd>{formatCalendarDate(person.birthday)}</dd>
            </div>
          ) : null}
          {person.created_at ? (
            <div className="facts__row">
              <dt>Joined</dt>
              <dd>{formatMonthYear(person.created_at)}</dd>
            </div>
          ) : null}
        </dl>
      </div>
      <p>
        <Link to="/">← Back to everyone</Link>
      </p>
    </article>
  );
}

import { Link } from "react-router";
import type { PublicProfile } from "../data/profiles/index.ts";
import { formatMonthYear } from "../lib/dates.ts";
import { displayName } from "../lib/names.ts";
import { Avatar } from "./Avatar.tsx";
import { CountryLabel } from "./CountryLabel.tsx";
import "./ProfileCard.css";

/** One profile in the feed. The whole card is a link to the profile page. */
export function ProfileCard({ profile }: { profile: PublicProfile }) {
  const name = displayName(profile);
  return (
    <article className="card profile-card">
      <Avatar src={profile.image_url} name={name} />
      <div className="profile-card__body">
        <h3 className="profile-card__name">
          <Link className="card-link" to={`/u/${encodeURIComponent(profile.clerk_id)}`}>
            {name}
          </Link>
        </h3>
        {profile.username ? <p className="profile-card__username">@{profile.username}</p> : null}
        {profile.bio ? <p className="profile-card__bio">{profile.bio}</p> : <p className="profile-card__bio profile-card__bio--empty">No bio yet.</p>}
        <p className="profile-card__meta">
          {profile.country ? <CountryLabel code={profile.country} /> : null}
          {profile.created_at ? <span>Joined {formatMonthYear(profile.created_at)}</span> : null}
        </p>
      </div>
    </article>
  );
}

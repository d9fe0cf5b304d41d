import { Link } from "react-router";
import type { PublicOrganization } from "../data/organizations/index.ts";
import { formatMonthYear } from "../lib/dates.ts";
import { organizationName } from "../lib/names.ts";
import { formatCount } from "../lib/numbers.ts";
import { Avatar } from "./Avatar.tsx";
import "./ProfileCard.css";

/** One organization in the directory. The whole card is a link to its page. */
export function OrganizationCard({ organization }: { organization: PublicOrganization }) {
  const name = organizationName(organization);
  const members = organization.members_count ?? 0;
  return (
    <article className="card profile-card org-card">
      <Avatar src={organization.image_url} name={name} square />
      <div className="profile-card__body">
        <h3 className="profile-card__name">
          <Link className="card-link" to={`/orgs/${encodeURIComponent(organization.clerk_id)}`}>
            {name}
          </Link>
        </h3>
        {organization.slug ? <p className="profile-card__username">{organization.slug}</p> : null}
        <p className="profile-card__meta">
          <span>
            {formatCount(members)} {members === 1 ? "member" : "members"}
          </span>
          {organization.created_at ? <span>Since {formatMonthYear(organization.created_at)}</span> : null}
        </p>
      </div>
    </article>
  );
}

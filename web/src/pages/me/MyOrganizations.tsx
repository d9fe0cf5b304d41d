import { Link } from "react-router";
import { Avatar } from "../../components/Avatar.tsx";
import { describeError, Spinner } from "../../components/States.tsx";
import { useMyOrganizationsQuery } from "../../data/organizations/index.ts";
import { organizationName } from "../../lib/names.ts";
import { formatCount } from "../../lib/numbers.ts";
import { roleLabel } from "../../lib/roles.ts";
import "./MyOrganizations.css";

/** The signed-in user's organizations on /me, with their role in each. */
export function MyOrganizations({ userId }: { userId: string }) {
  const organizations = useMyOrganizationsQuery(userId);
  return (
    <section className="my-orgs" aria-labelledby="my-orgs-title">
      <h2 id="my-orgs-title" className="section-title">
        Your organizations
      </h2>
      <div className="card my-orgs__card">
        {organizations.isPending ? (
          <p className="my-orgs__state">
            <Spinner label="Loading your organizations" />
          </p>
        ) : organizations.isError ? (
          <div className="my-orgs__state my-orgs__state--error" role="alert">
            <p>Your organizations could not be loaded. {describeError(organizations.error)}</p>
            <button type="button" className="button" onClick={() => void organizations.refetch()}>
              Try again
            </button>
          </div>
        ) : organizations.data.length === 0 ? (
          <p className="my-orgs__state">
            You are not in any organization yet. <Link to="/orgs">See all organizations</Link>
          </p>
        ) : (
          <ul className="my-orgs__list">
            {organizations.data.map((org) => {
              const name = organizationName(org);
              const members = org.members_count ?? 0;
              return (
                <li key={org.organization_id} className="my-orgs__item">
                  <Avatar src={org.image_url} name={name} size="small" square />
                  <span className="my-orgs__text">
                    <Link className="my-orgs__name" to={`/orgs/${encodeURIComponent(org.organization_id)}`}>
                      {name}
                    </Link>
                    <span className="my-orgs__meta">
                      {formatCount(members)} {members === 1 ? "member" : "members"}
                    </span>
                  </span>
                  <span className={`badge${org.role === "org:admin" ? " badge--role-admin" : ""}`}>{roleLabel(org.role)}</span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}

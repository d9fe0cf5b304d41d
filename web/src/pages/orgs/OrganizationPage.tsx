import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { useAuth } from "../../auth/auth.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { EmptyState, ErrorState, PageSpinner, Spinner } from "../../components/States.tsx";
import {
  membersListLimit,
  type OrganizationMember,
  type PublicOrganization,
  useOrganizationMembersQuery,
  usePublicOrganizationQuery,
} from "../../data/organizations/index.ts";
import { formatMonthYear } from "../../lib/dates.ts";
import { displayName, organizationName } from "../../lib/names.ts";
import { formatCount } from "../../lib/numbers.ts";
import { roleLabel } from "../../lib/roles.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import "../profile/ProfilePage.css";
import "./OrganizationPage.css";

/** /orgs/:organizationId — an organization's public information, and its members for members. */
export function OrganizationPage() {
  const { organizationId = "" } = useParams();
  const organization = usePublicOrganizationQuery(organizationId);
  const name = organization.data ? organizationName(organization.data) : null;
  useDocumentTitle(organization.isPending ? null : (name ?? "Organization not found"));

  if (organization.isPending) return <PageSpinner label="Loading organization" />;
  if (organization.isError) {
    return <ErrorState title="This organization could not be loaded" error={organization.error} onRetry={() => void organization.refetch()} />;
  }
  if (!organization.data) {
    return (
      <EmptyState
        title="Organization not found"
        action={
          <Link className="button" to="/orgs">
            All organizations
          </Link>
        }
      >
        <p>There is no organization here. The link may be wrong, or the organization was deleted.</p>
      </EmptyState>
    );
  }

  const org = organization.data;
  const members = org.members_count ?? 0;
  return (
    <article className="profile org" aria-labelledby="org-name">
      <div className="profile__hero card">
        <Avatar src={org.image_url} name={name!} size="large" alt={`Logo of ${name}`} square />
        <div className="profile__heading">
          <h1 id="org-name">{name}</h1>
          {org.slug ? <p className="profile__username">{org.slug}</p> : null}
          <p className="org__facts">
            <span>
              {formatCount(members)} {members === 1 ? "member" : "members"}
            </span>
            {org.created_at ? <span>Since {formatMonthYear(org.created_at)}</span> : null}
          </p>
        </div>
      </div>
      <section className="card org-members" aria-labelledby="members-title">
        <h2 id="members-title" className="org-members__title">
          Members
        </h2>
        <Members organization={org} />
      </section>
      <p>
        <Link to="/orgs">← All organizations</Link>
      </p>
    </article>
  );
}

/**
 * The member list, which the database shows only to members: a visitor or a
 * non-member is told so, and is never sent a member.
 */
function Members({ organization }: { organization: PublicOrganization }) {
  const { isLoaded, userId } = useAuth();
  const members = useOrganizationMembersQuery(userId, organization.clerk_id);
  const name = organizationName(organization);

  if (!isLoaded) return <Spinner label="Checking your session" />;
  if (!userId) {
    return (
      <MembersOnly>
        <p>
          Only members of {name} can see who its members are. Sign in to see them if you are one.
        </p>
        <p>
          <Link className="button button--primary" to="/sign-in">
            Sign in
          </Link>
        </p>
      </MembersOnly>
    );
  }
  if (members.isPending) return <Spinner label="Loading members" />;
  if (members.isError) {
    return <ErrorState title="The members could not be loaded" error={members.error} onRetry={() => void members.refetch()} />;
  }
  if (members.data.length === 0) {
    if ((organization.members_count ?? 0) === 0) {
      return <p className="org-members__empty">No members have synced from Clerk yet.</p>;
    }
    return (
      <MembersOnly>
        <p>You are not a member of {name}, so its member list is private to you. Its members can see it here.</p>
      </MembersOnly>
    );
  }

  const listed = members.data;
  return (
    <>
      <ul className="member-list" aria-label={`Members of ${name}`}>
        {listed.map((member) => (
          <MemberRow key={member.membership_id} member={member} isYou={member.user_id === userId} />
        ))}
      </ul>
      {listed.length >= membersListLimit ? (
        <p className="org-members__more">Showing the first {formatCount(listed.length)} members.</p>
      ) : null}
    </>
  );
}

function MembersOnly({ children }: { children: ReactNode }) {
  return (
    <div className="members-only" role="note">
      <svg className="members-only__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
        <rect x="5" y="10.5" width="14" height="10" rx="2.5" fill="currentColor" />
        <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
      </svg>
      <div className="members-only__text">
        <p className="members-only__title">Members are visible to members</p>
        {children}
      </div>
    </div>
  );
}

function MemberRow({ member, isYou }: { member: OrganizationMember; isYou: boolean }) {
  const name = displayName(member);
  return (
    <li className="member">
      <Avatar src={member.image_url} name={name} size="small" />
      <div className="member__text">
        <Link className="member__name" to={`/u/${encodeURIComponent(member.user_id)}`}>
          {name}
        </Link>
        {isYou ? <span className="member__you"> (you)</span> : null}
        <span className="member__meta">
          {member.username ? `@${member.username}` : null}
          {member.joined_at ? <span>Joined {formatMonthYear(member.joined_at)}</span> : null}
        </span>
      </div>
      <span className={`badge${member.role === "org:admin" ? " badge--role-admin" : ""}`}>{roleLabel(member.role)}</span>
    </li>
  );
}

-- Organizations and memberships: the app's copy of Clerk's teams, synced like profiles.
--
-- Why these shapes:
--   * Both tables are keyed by Clerk ids and carry the same bookkeeping as profiles
--     (event_at, event_id, deleted_at), so apply_clerk_event orders, deduplicates and
--     tombstones them exactly as it does users.
--   * No foreign keys between organization_memberships, organizations and profiles:
--     Svix does not guarantee order, and a membership may arrive before its user or its
--     organization. A foreign key would turn that ordinary case into a failed event.
--     The views below join instead, and the apply path (52_apply_memberships.sql)
--     keeps deletions consistent: deleting an organization or a user tombstones its
--     memberships, and a membership change older than such a deletion is stale.
--   * A membership stores the names and image of public_user_data as a fallback for
--     members whose profile has not arrived yet. It never stores `identifier`: that is
--     usually the email address, which profiles keep private.
--
-- Read paths:
--   * public.public_organizations (view, everyone): name, slug, image, member count.
--   * public.organization_members (view, members of that organization only): the
--     member list. It runs with the caller's rights, so the row policy on
--     organization_memberships decides who sees which rows.
--   * public.my_organizations (view, the signed-in user): their organizations and roles.
-- Writes: only apply_clerk_event (service role).

create table public.organizations (
  clerk_id text primary key check (char_length(clerk_id) between 1 and 128),

  -- Clerk-owned: written only by apply_clerk_event.
  name text,
  slug text,
  image_url text,
  public_metadata jsonb not null default '{}'::jsonb,
  created_by text,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,

  -- Bookkeeping: written only by apply_clerk_event.
  event_at timestamptz not null,
  event_id text not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.organizations is 'One row per Clerk organization, synced from organization.* events and backfills. Service role only; everyone reads public_organizations.';
comment on column public.organizations.clerk_id is 'Clerk organization id (org_...): org_id / o.id in the session token.';
comment on column public.organizations.slug is 'Clerk slug. Not unique here: a renamed and a new organization may briefly share one while events arrive.';
comment on column public.organizations.public_metadata is 'Clerk public_metadata. Not exposed by public_organizations; private_metadata is never stored.';
comment on column public.organizations.created_by is 'Clerk user id of the creator.';
comment on column public.organizations.clerk_created_at is 'created_at from Clerk.';
comment on column public.organizations.clerk_updated_at is 'updated_at from Clerk; backfill and reconcile compare it with Clerk''s.';
comment on column public.organizations.event_at is 'Event clock of the last applied change (envelope timestamp, else data.updated_at).';
comment on column public.organizations.event_id is 'Message id of the last applied change; breaks ties of event_at.';
comment on column public.organizations.deleted_at is 'Tombstone: set by organization.deleted or reconcile. The row stays so that older events stay stale.';

create index organizations_slug_idx on public.organizations (slug) where deleted_at is null;

alter table public.organizations enable row level security;

-- No policies: only the service role writes, and reads go through public_organizations.
revoke all on table public.organizations from anon, authenticated;
grant all on table public.organizations to service_role;

create table public.organization_memberships (
  clerk_id text primary key check (char_length(clerk_id) between 1 and 128),
  organization_id text not null check (char_length(organization_id) between 1 and 128),
  user_id text not null check (char_length(user_id) between 1 and 128),

  -- Clerk-owned: written only by apply_clerk_event.
  role text,
  permissions text[] not null default '{}',
  public_metadata jsonb not null default '{}'::jsonb,
  first_name text,
  last_name text,
  image_url text,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,

  -- Bookkeeping: written only by apply_clerk_event.
  event_at timestamptz not null,
  event_id text not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.organization_memberships is 'One row per Clerk organization membership. Members of an organization read its rows; only the service role writes.';
comment on column public.organization_memberships.clerk_id is 'Clerk membership id (orgmem_...).';
comment on column public.organization_memberships.organization_id is 'Clerk organization id. No foreign key: the membership may arrive before its organization.';
comment on column public.organization_memberships.user_id is 'Clerk user id (public_user_data.user_id). No foreign key: the membership may arrive before its user.';
comment on column public.organization_memberships.role is 'Clerk role key, e.g. org:admin or org:member.';
comment on column public.organization_memberships.permissions is 'Clerk permission keys of the role, e.g. org:sys_memberships:read.';
comment on column public.organization_memberships.public_metadata is 'Clerk public_metadata of the membership; private_metadata is never stored.';
comment on column public.organization_memberships.first_name is 'public_user_data.first_name at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.last_name is 'public_user_data.last_name at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.image_url is 'public_user_data.image_url at the last event: shown until the member''s profile arrives.';
comment on column public.organization_memberships.clerk_created_at is 'created_at from Clerk: when the user joined.';
comment on column public.organization_memberships.clerk_updated_at is 'updated_at from Clerk; backfill and reconcile compare it with Clerk''s.';
comment on column public.organization_memberships.event_at is 'Event clock of the last applied change (envelope timestamp, else data.updated_at).';
comment on column public.organization_memberships.event_id is 'Message id of the last applied change; breaks ties of event_at.';
comment on column public.organization_memberships.deleted_at is 'Tombstone: set by organizationMembership.deleted, or by the deletion of its organization or user.';

-- The row policy reads organization_id and deleted_at; the membership helper reads
-- user_id and deleted_at for organization_id; deleting an organization or a user
-- finds its memberships by organization_id or user_id alone.
create index organization_memberships_organization_idx on public.organization_memberships (organization_id, deleted_at);
create index organization_memberships_user_idx on public.organization_memberships (user_id, deleted_at, organization_id);

alter table public.organization_memberships enable row level security;

revoke all on table public.organization_memberships from anon, authenticated;
grant select on table public.organization_memberships to authenticated;
grant all on table public.organization_memberships to service_role;

-- The organizations the signed-in user belongs to: their synced memberships, plus the
-- active organization of their session token (org_id in v1 tokens, o.id in v2), which
-- Clerk signs only for members. The token claim covers a member whose membership
-- event has not arrived yet; the synced rows cover every other organization of theirs.
-- Security definer, so that reading memberships here does not recurse into the row
-- policy that calls it.
create function private.current_user_organization_ids()
returns setof text
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
    from public.organization_memberships m
   where m.user_id = (select auth.jwt() ->> 'sub')
     and m.deleted_at is null
  union
  select claim.org_id
    from (select coalesce(auth.jwt() ->> 'org_id', auth.jwt() -> 'o' ->> 'id') as org_id) claim
   where claim.org_id is not null
     and (select auth.jwt() ->> 'sub') is not null
$$;

comment on function private.current_user_organization_ids() is 'Organization ids of the signed-in Clerk user: synced memberships and the token''s active organization. Used by row policies.';

revoke all on function private.current_user_organization_ids() from public, anon;
grant execute on function private.current_user_organization_ids() to authenticated;

create policy "Memberships are readable by members of the organization"
  on public.organization_memberships for select
  to authenticated
  using (
    deleted_at is null
    and organization_id in (select private.current_user_organization_ids())
  );

-- Public information about organizations. It runs with its owner's rights (not the
-- caller's), which is what lets anyone read it while exposing only these columns and
-- counting members without showing them. security_barrier keeps caller-supplied
-- filters from running before the deleted_at filter.
create view public.public_organizations
  with (security_barrier = true)
as
select
  o.clerk_id,
  o.name,
  o.slug,
  o.image_url,
  o.clerk_created_at as created_at,
  (select count(*)
     from public.organization_memberships m
    where m.organization_id = o.clerk_id and m.deleted_at is null)::integer as members_count
from public.organizations o
where o.deleted_at is null;

comment on view public.public_organizations is 'Public columns of organizations that are not deleted, with the number of synced members. Readable by everyone.';

revoke all on table public.public_organizations from anon, authenticated;
grant select on table public.public_organizations to anon, authenticated, service_role;

-- The member list of an organization. security_invoker: the caller's row policy on
-- organization_memberships decides which rows exist here, so a non-member sees none.
-- Names come from the member's public profile, or from the membership's snapshot
-- until the profile arrives.
create view public.organization_members
  with (security_invoker = true, security_barrier = true)
as
select
  m.clerk_id as membership_id,
  m.organization_id,
  m.user_id,
  m.role,
  m.clerk_created_at as joined_at,
  p.username,
  case when p.clerk_id is null then m.first_name else p.first_name end as first_name,
  case when p.clerk_id is null then m.last_name else p.last_name end as last_name,
  case when p.clerk_id is null then m.image_url else p.image_url end as image_url
from public.organization_memberships m
left join public.public_profiles p on p.clerk_id = m.user_id
where m.deleted_at is null;

comment on view public.organization_members is 'Members of the organizations the caller belongs to, with their public names. Empty for non-members.';

revoke all on table public.organization_members from anon, authenticated;
grant select on table public.organization_members to authenticated, service_role;

-- The signed-in user's organizations, for /me. Only organizations that have synced.
create view public.my_organizations
  with (security_invoker = true, security_barrier = true)
as
select
  m.organization_id,
  o.name,
  o.slug,
  o.image_url,
  o.members_count,
  m.role,
  m.clerk_created_at as joined_at
from public.organization_memberships m
join public.public_organizations o on o.clerk_id = m.organization_id
where m.user_id = (select auth.jwt() ->> 'sub')
  and m.deleted_at is null;

comment on view public.my_organizations is 'The organizations of the signed-in Clerk user, with their role in each.';

revoke all on table public.my_organizations from anon, authenticated;
grant select on table public.my_organizations to authenticated;

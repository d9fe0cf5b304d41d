-- The apply path of memberships, and how they end with their organization or user.
--
-- The same clock guard and tombstones as profiles (50_apply_profiles.sql). What is
-- different is that a membership belongs to two other objects that can be deleted.
-- Deleting an organization or a user counts, for each of its memberships, as a
-- membership.deleted with the deletion's clock (Clerk removes the memberships; it
-- does not promise an event for each):
--   * every deletion of an organization or user is kept, newest per id, in
--     private.clerk_deletions, apart from the parent's row, which forgets the clock
--     once a newer event makes it live again;
--   * the deletion tombstones every membership row of that organization or user whose
--     clock is older, whether or not the parent's own row took the tombstone;
--   * a membership change older than such a deletion writes that tombstone instead of
--     itself, and is stale.
-- So the final rows are the newest event per membership, whatever order the events
-- arrived in (tests/reliability/convergence.test.ts checks it).
--
-- A deletion and a membership change of the same organization or user must not commit
-- past each other unseen (the change checks for the deletion, the deletion updates
-- the rows it sees). A deletion takes an exclusive transaction-level advisory lock on
-- the parent's id, a membership change shared ones on both parents: membership
-- changes never wait for each other, and a deadlock needs two groups (see
-- apply_clerk_events) each deleting an organization the other changes a member of.
--
-- Memberships have no lock-free stale answer: their writes also depend on the parent
-- deletion clocks.

-- The advisory lock key of a Clerk organization or user id.
create function private.clerk_lock_key(p_clerk_id text)
returns bigint
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.hashtextextended('clerk:' || p_clerk_id, 0)
$$;

create table private.clerk_deletions (
  clerk_id text primary key,
  event_at timestamptz not null,
  event_id text not null
);

comment on table private.clerk_deletions is 'Newest deletion (event clock) of each Clerk organization and user: what their memberships are measured against, even after the parent row is live again.';

revoke all on table private.clerk_deletions from public, anon, authenticated;

-- Keeps the newest deletion of a Clerk id.
create function private.record_deletion(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns void
language sql
set search_path = ''
as $$
  insert into private.clerk_deletions as d (clerk_id, event_at, event_id)
  values (p_clerk_id, p_event_at, p_event_id)
  on conflict (clerk_id) do update set event_at = excluded.event_at, event_id = excluded.event_id
  where (d.event_at, d.event_id) < (excluded.event_at, excluded.event_id)
$$;

-- Tombstones the memberships of a deleted organization or user that are older than the
-- deletion, and says whether it changed a row. Exactly one of p_organization_id and
-- p_user_id is given.
create function private.tombstone_memberships_of(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update public.organization_memberships m set
    role = null,
    permissions = '{}',
    public_metadata = '{}'::jsonb,
    first_name = null,
    last_name = null,
    image_url = null,
    clerk_created_at = null,
    clerk_updated_at = null,
    event_at = p_event_at,
    event_id = p_event_id,
    synced_at = now(),
    deleted_at = p_event_at
  where (m.organization_id = p_organization_id or m.user_id = p_user_id)
    and (m.event_at, m.event_id) < (p_event_at, p_event_id);
  return found;
end;
$$;

-- The newest deletion of the membership's organization or user that is newer than
-- (p_event_at, p_event_id): its clock, or no row.
create function private.newer_parent_deletion(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns table (event_at timestamptz, event_id text)
language sql
stable
set search_path = ''
as $$
  select d.event_at, d.event_id
    from private.clerk_deletions d
   where d.clerk_id in (p_organization_id, p_user_id)
     and (d.event_at, d.event_id) > (p_event_at, p_event_id)
   order by d.event_at desc, d.event_id desc
   limit 1
$$;

create function private.upsert_membership(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id text := p_row ->> 'organization_id';
  v_user_id text := p_row ->> 'user_id';
  v_deletion record;
begin
  perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_organization_id));
  perform pg_catalog.pg_advisory_xact_lock_shared(private.clerk_lock_key(v_user_id));
  select * into v_deletion
    from private.newer_parent_deletion(v_organization_id, v_user_id, p_event_at, p_event_id);
  if found then
    -- The deletion of its organization or user is newer: the membership is gone as of
    -- that deletion, as it would be had this change arrived first.
    perform private.tombstone_membership(p_row, v_deletion.event_at, v_deletion.event_id);
    return false;
  end if;

  insert into public.organization_memberships as m (
    clerk_id, organization_id, user_id, role, permissions, public_metadata,
    first_name, last_name, image_url, clerk_created_at, clerk_updated_at,
    event_at, event_id, synced_at, deleted_at
  )
  select
    r.clerk_id, r.organization_id, r.user_id, r.role, coalesce(r.permissions, '{}'),
    coalesce(r.public_metadata, '{}'::jsonb), r.first_name, r.last_name, r.image_url,
    r.clerk_created_at, r.clerk_updated_at, p_event_at, p_event_id, now(), null
  from jsonb_populate_record(null::public.organization_memberships, p_row) r
  on conflict (clerk_id) do update set
    organization_id = excluded.organization_id,
    user_id = excluded.user_id,
    role = excluded.role,
    permissions = excluded.permissions,
    public_metadata = excluded.public_metadata,
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    image_url = excluded.image_url,
    clerk_created_at = excluded.clerk_created_at,
    clerk_updated_at = excluded.clerk_updated_at,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = null
  where (m.event_at, m.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

-- organizationMembership.deleted carries the whole membership, so a tombstone that
-- arrives first still knows its organization and user.
create function private.tombstone_membership(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  insert into public.organization_memberships as m (
    clerk_id, organization_id, user_id, event_at, event_id, synced_at, deleted_at
  ) values (
    p_row ->> 'clerk_id', p_row ->> 'organization_id', p_row ->> 'user_id',
    p_event_at, p_event_id, now(), p_event_at
  )
  on conflict (clerk_id) do update set
    role = null,
    permissions = '{}',
    public_metadata = '{}'::jsonb,
    first_name = null,
    last_name = null,
    image_url = null,
    clerk_created_at = null,
    clerk_updated_at = null,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (m.event_at, m.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

revoke all on function
  private.clerk_lock_key(text),
  private.record_deletion(text, timestamptz, text),
  private.tombstone_memberships_of(text, text, timestamptz, text),
  private.newer_parent_deletion(text, text, timestamptz, text),
  private.upsert_membership(jsonb, timestamptz, text),
  private.tombstone_membership(jsonb, timestamptz, text)
from public, anon, authenticated;

-- apply_clerk_event learns organizations and memberships.
--
-- The same rules as profiles (20261122000400_apply_clerk_event.sql): a row is written
-- only when the change's (event_at, event_id) is greater than the row's, and a delete
-- leaves a tombstone so that older events stay stale. What is new is that memberships
-- belong to two other objects that can be deleted. Deleting an organization or a user
-- counts, for each of its memberships, as a membership.deleted with the deletion's
-- clock (Clerk removes the memberships; it does not promise an event for each):
--   * the deletion tombstones every membership row of that organization or user whose
--     clock is older;
--   * a membership change older than such a deletion writes that tombstone instead of
--     itself, and is stale.
-- So the final rows are the newest event per membership, whatever order the events
-- arrived in, as for profiles.
--
-- A deletion and a membership change of the same organization or user must not commit
-- past each other unseen (the change checks for the deletion, the deletion updates
-- the rows it sees). A deletion takes an exclusive transaction-level advisory lock on
-- the parent's id, a membership change shared ones on both parents: membership
-- changes never wait for each other, and a deadlock needs two groups (see
-- apply_clerk_events) each deleting an organization the other changes a member of.
--
-- private.apply_change is replaced with the new routes; apply_clerk_event itself is
-- unchanged. Tombstones clear clerk_created_at and clerk_updated_at, so a row
-- tombstoned by an update looks the same as one tombstoned by an insert
-- (20261122003000_tombstone_clears_clerk_times.sql).

-- The advisory lock key of a Clerk organization or user id.
create function private.clerk_lock_key(p_clerk_id text)
returns bigint
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.hashtextextended('clerk:' || p_clerk_id, 0)
$$;

create function private.upsert_organization(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  insert into public.organizations as o (
    clerk_id, name, slug, image_url, public_metadata, created_by,
    clerk_created_at, clerk_updated_at, event_at, event_id, synced_at, deleted_at
  )
  select
    r.clerk_id, r.name, r.slug, r.image_url, coalesce(r.public_metadata, '{}'::jsonb), r.created_by,
    r.clerk_created_at, r.clerk_updated_at, p_event_at, p_event_id, now(), null
  from jsonb_populate_record(null::public.organizations, p_row) r
  on conflict (clerk_id) do update set
    name = excluded.name,
    slug = excluded.slug,
    image_url = excluded.image_url,
    public_metadata = excluded.public_metadata,
    created_by = excluded.created_by,
    clerk_created_at = excluded.clerk_created_at,
    clerk_updated_at = excluded.clerk_updated_at,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = null
  where (o.event_at, o.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

-- Tombstones the memberships of a deleted organization or user that are older than the
-- deletion. Exactly one of p_organization_id and p_user_id is given.
create function private.tombstone_memberships_of(
  p_organization_id text, p_user_id text, p_event_at timestamptz, p_event_id text
)
returns void
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
end;
$$;

create function private.tombstone_organization(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  insert into public.organizations as o (clerk_id, event_at, event_id, synced_at, deleted_at)
  values (p_clerk_id, p_event_at, p_event_id, now(), p_event_at)
  on conflict (clerk_id) do update set
    name = null,
    slug = null,
    image_url = null,
    public_metadata = '{}'::jsonb,
    created_by = null,
    clerk_created_at = null,
    clerk_updated_at = null,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (o.event_at, o.event_id) < (excluded.event_at, excluded.event_id);
  if not found then
    return false;
  end if;
  perform private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id);
  return true;
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
    from (
      select o.event_at, o.event_id from public.organizations o
       where o.clerk_id = p_organization_id and o.deleted_at is not null
      union all
      select p.event_at, p.event_id from public.profiles p
       where p.clerk_id = p_user_id and p.deleted_at is not null
    ) d
   where (d.event_at, d.event_id) > (p_event_at, p_event_id)
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

-- A deleted user leaves their organizations too.
create function private.tombstone_user(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  if not private.tombstone_profile(p_clerk_id, p_event_at, p_event_id) then
    return false;
  end if;
  perform private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id);
  return true;
end;
$$;

-- Routes a change to its table. Returns true when a row was written, false when stale.
create or replace function private.apply_change(p_change jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_target text := (p_change ->> 'table') || '.' || (p_change ->> 'op');
  v_row jsonb := p_change -> 'row';
begin
  case v_target
    when 'profiles.upsert' then
      return private.upsert_profile(v_row, p_event_at, p_event_id);
    when 'profiles.tombstone' then
      return private.tombstone_user(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organizations.upsert' then
      return private.upsert_organization(v_row, p_event_at, p_event_id);
    when 'organizations.tombstone' then
      return private.tombstone_organization(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organization_memberships.upsert' then
      return private.upsert_membership(v_row, p_event_at, p_event_id);
    when 'organization_memberships.tombstone' then
      return private.tombstone_membership(v_row, p_event_at, p_event_id);
    else
      raise exception 'apply_clerk_event: unknown change %', v_target using errcode = '22023';
  end case;
end;
$$;

revoke all on function
  private.clerk_lock_key(text),
  private.upsert_organization(jsonb, timestamptz, text),
  private.tombstone_memberships_of(text, text, timestamptz, text),
  private.tombstone_organization(text, timestamptz, text),
  private.newer_parent_deletion(text, text, timestamptz, text),
  private.upsert_membership(jsonb, timestamptz, text),
  private.tombstone_membership(jsonb, timestamptz, text),
  private.tombstone_user(text, timestamptz, text),
  private.apply_change(jsonb, timestamptz, text)
from public, anon, authenticated;

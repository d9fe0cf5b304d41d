-- The apply path of organizations: organization.created, .updated and .deleted.
--
-- The same rules as profiles (50_apply_profiles.sql): the clock guard, the lock-free
-- answer for stale events, and a tombstone that keeps the row and clears every
-- Clerk-owned field. Deleting an organization also ends its memberships
-- (52_apply_memberships.sql).

create function private.upsert_organization(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.organizations o
     where o.clerk_id = p_row ->> 'clerk_id'
       and (o.event_at, o.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;
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

create function private.tombstone_organization(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_organization boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
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
  v_organization := found;
  return private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id) or v_organization;
end;
$$;

revoke all on function
  private.upsert_organization(jsonb, timestamptz, text),
  private.tombstone_organization(text, timestamptz, text)
from public, anon, authenticated;

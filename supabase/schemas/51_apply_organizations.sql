-- The apply path of organizations: organization.created, .updated and .deleted.
--
-- The same rules as profiles (50_apply_profiles.sql): the clock guard, the lock-free
-- answer for stale events, and a tombstone that keeps the row and clears every
-- Clerk-owned field. Deleting an organization also ends its memberships
-- (52_apply_memberships.sql).
--
-- As for profiles, the upsert and the tombstone are one statement, and the Clerk-owned
-- columns are named once, in the `set` of write_organization.

create function private.write_organization(
  p_row jsonb, p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  -- Clerk's fields come from the event, or, for a tombstone, from nothing.
  v_new public.organizations := jsonb_populate_record(
    null::public.organizations,
    case when p_tombstone then jsonb_build_object('clerk_id', p_row ->> 'clerk_id') else p_row end
  );
begin
  if exists (
    select 1 from public.organizations o
     where o.clerk_id = v_new.clerk_id
       and (o.event_at, o.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;

  v_new.public_metadata := coalesce(v_new.public_metadata, '{}'::jsonb);
  v_new.event_at := p_event_at;
  v_new.event_id := p_event_id;
  v_new.synced_at := now();
  v_new.deleted_at := case when p_tombstone then p_event_at end;

  insert into public.organizations as o
  select v_new.*
  on conflict (clerk_id) do update set
    (name, slug, image_url, public_metadata, created_by, clerk_created_at, clerk_updated_at)
      = (excluded.name, excluded.slug, excluded.image_url, excluded.public_metadata, excluded.created_by,
         excluded.clerk_created_at, excluded.clerk_updated_at),
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
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
  v_organization := private.write_organization(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(p_clerk_id, null, p_event_at, p_event_id) or v_organization;
end;
$$;

revoke all on function
  private.write_organization(jsonb, boolean, timestamptz, text),
  private.tombstone_organization(text, timestamptz, text)
from public, anon, authenticated;

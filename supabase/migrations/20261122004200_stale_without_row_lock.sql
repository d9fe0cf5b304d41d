-- Stale events answer from a plain read, without taking the row's lock.
--
-- `insert … on conflict do update … where <clock guard>` locks the conflicting row even
-- when the guard is false, so a stale event (an old retry, a late out-of-order
-- delivery, a backfill of data a webhook already brought) waited for, and held, the
-- same row lock as an event that changes the row. Clocks only grow: once a row's
-- (event_at, event_id) is at or past an event's, it stays there. So a plain read that
-- finds the row newer can answer 'stale' at once; everything else goes on to the
-- guarded upsert, which checks again under the lock.
--
-- Only the plain upserts of profiles and organizations change here. Memberships keep
-- their path: their writes also depend on parent deletion clocks.

create or replace function private.upsert_profile(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.profiles p
     where p.clerk_id = p_row ->> 'clerk_id'
       and (p.event_at, p.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;
  insert into public.profiles as p (
    clerk_id, username, first_name, last_name, image_url, email, public_metadata,
    clerk_created_at, clerk_updated_at, event_at, event_id, synced_at, deleted_at
  )
  select
    r.clerk_id, r.username, r.first_name, r.last_name, r.image_url, r.email,
    coalesce(r.public_metadata, '{}'::jsonb), r.clerk_created_at, r.clerk_updated_at,
    p_event_at, p_event_id, now(), null
  from jsonb_populate_record(null::public.profiles, p_row) r
  on conflict (clerk_id) do update set
    username = excluded.username,
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    image_url = excluded.image_url,
    email = excluded.email,
    public_metadata = excluded.public_metadata,
    clerk_created_at = excluded.clerk_created_at,
    clerk_updated_at = excluded.clerk_updated_at,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = null
  where (p.event_at, p.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

create or replace function private.upsert_organization(p_row jsonb, p_event_at timestamptz, p_event_id text)
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


-- The apply path of profiles: user.created, user.updated and user.deleted.
--
-- Every write is guarded by the event clock: a row is written only when the event's
-- (event_at, event_id) is greater than the row's. Comparing the pair breaks ties of
-- equal timestamps by message id, so the final row never depends on arrival order.
--
-- A stale event answers from a plain read, without taking the row's lock:
-- `insert … on conflict do update … where <clock guard>` locks the conflicting row even
-- when the guard is false. Clocks only grow, so once a row's clock is at or past an
-- event's it stays there; everything else goes on to the guarded upsert, which checks
-- again under the lock.
--
-- A delete leaves a tombstone: the row stays (so older events stay stale) and forgets
-- the person. Every Clerk-owned and user-owned field is cleared, clerk_created_at and
-- clerk_updated_at too, so a tombstone is the same row whether user.deleted arrived
-- before or after user.created. A deleted user also leaves their organizations
-- (52_apply_memberships.sql).

create function private.upsert_profile(p_row jsonb, p_event_at timestamptz, p_event_id text)
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

create function private.tombstone_profile(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  insert into public.profiles as p (clerk_id, event_at, event_id, synced_at, deleted_at)
  values (p_clerk_id, p_event_at, p_event_id, now(), p_event_at)
  on conflict (clerk_id) do update set
    username = null,
    first_name = null,
    last_name = null,
    image_url = null,
    email = null,
    public_metadata = '{}'::jsonb,
    clerk_created_at = null,
    clerk_updated_at = null,
    bio = null,
    birthday = null,
    birthday_public = false,
    country = null,
    event_at = excluded.event_at,
    event_id = excluded.event_id,
    synced_at = excluded.synced_at,
    deleted_at = excluded.deleted_at
  where (p.event_at, p.event_id) < (excluded.event_at, excluded.event_id);
  return found;
end;
$$;

-- A deleted user leaves their organizations too.
create function private.tombstone_user(p_clerk_id text, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_profile boolean;
begin
  perform pg_catalog.pg_advisory_xact_lock(private.clerk_lock_key(p_clerk_id));
  perform private.record_deletion(p_clerk_id, p_event_at, p_event_id);
  v_profile := private.tombstone_profile(p_clerk_id, p_event_at, p_event_id);
  return private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id) or v_profile;
end;
$$;

revoke all on function
  private.upsert_profile(jsonb, timestamptz, text),
  private.tombstone_profile(text, timestamptz, text),
  private.tombstone_user(text, timestamptz, text)
from public, anon, authenticated;

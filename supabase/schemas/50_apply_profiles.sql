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
--
-- The upsert and the tombstone are one statement: the tombstone writes the Clerk-owned
-- columns from an empty row. So those columns are named once here, in the `set` of
-- write_profile; adding one takes the column in 20_profiles.sql and its name in both
-- lists of that `set`.

create function private.write_profile(
  p_row jsonb, p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  -- Clerk's fields come from the event, or, for a tombstone, from nothing.
  v_new public.profiles := jsonb_populate_record(
    null::public.profiles,
    case when p_tombstone then jsonb_build_object('clerk_id', p_row ->> 'clerk_id') else p_row end
  );
begin
  if exists (
    select 1 from public.profiles p
     where p.clerk_id = v_new.clerk_id
       and (p.event_at, p.event_id) >= (p_event_at, p_event_id)
  ) then
    return false;
  end if;

  v_new.public_metadata := coalesce(v_new.public_metadata, '{}'::jsonb);
  -- The user's own fields never come from an event: a new row starts without them.
  v_new.bio := null;
  v_new.birthday := null;
  v_new.birthday_public := false;
  v_new.country := null;
  v_new.event_at := p_event_at;
  v_new.event_id := p_event_id;
  v_new.synced_at := now();
  v_new.deleted_at := case when p_tombstone then p_event_at end;

  insert into public.profiles as p
  select v_new.*
  on conflict (clerk_id) do update set
    (username, first_name, last_name, image_url, email, public_metadata, clerk_created_at, clerk_updated_at)
      = (excluded.username, excluded.first_name, excluded.last_name, excluded.image_url, excluded.email,
         excluded.public_metadata, excluded.clerk_created_at, excluded.clerk_updated_at),
    -- A tombstone forgets the user's own fields too; an upsert never touches them.
    bio = case when p_tombstone then null else p.bio end,
    birthday = case when p_tombstone then null else p.birthday end,
    birthday_public = case when p_tombstone then false else p.birthday_public end,
    country = case when p_tombstone then null else p.country end,
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
  v_profile := private.write_profile(jsonb_build_object('clerk_id', p_clerk_id), true, p_event_at, p_event_id);
  return private.tombstone_memberships_of(null, p_clerk_id, p_event_at, p_event_id) or v_profile;
end;
$$;

revoke all on function
  private.write_profile(jsonb, boolean, timestamptz, text),
  private.tombstone_user(text, timestamptz, text)
from public, anon, authenticated;

-- apply_clerk_event: the one way synced data is written.
--
-- The webhook function verifies and maps a Clerk event to a change (pure TypeScript),
-- then calls this function once. In one transaction it:
--   1. answers 'duplicate' if the message id has already settled (no entity lock taken);
--   2. applies the change, guarded by the event clock: a row is written only when
--      (event_at, event_id) of the event is greater than the row's. Comparing the pair
--      breaks ties of equal timestamps by message id, so the final state never depends
--      on arrival order;
--   3. records the message in the ledger with its outcome, and returns it.
-- A deterministic failure of the data (a check, a foreign key, a value too large) is
-- recorded as 'failed' with the payload, so it can be replayed; any other error is
-- raised, the transaction rolls back, and the webhook answers 5xx so Svix retries.
--
-- It is security definer so that webhook writes never pass through user policies, and
-- it is executable by service_role only.
--
-- Argument shape (built by supabase/functions/_shared/events.ts):
--   { svix_id, type, event_at, object_id, instance_id, payload,
--     change: null | { table: 'profiles', op: 'upsert' | 'tombstone', row: {...} } }

create schema if not exists private;
revoke all on schema private from public;

create function private.upsert_profile(p_row jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
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

-- A tombstone keeps the row (so older events stay stale) and forgets the person:
-- every Clerk-owned and user-owned field is cleared.
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

-- Routes a change to its table. Returns true when a row was written, false when stale.
create function private.apply_change(p_change jsonb, p_event_at timestamptz, p_event_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_target text := (p_change ->> 'table') || '.' || (p_change ->> 'op');
begin
  case v_target
    when 'profiles.upsert' then
      return private.upsert_profile(p_change -> 'row', p_event_at, p_event_id);
    when 'profiles.tombstone' then
      return private.tombstone_profile(p_change -> 'row' ->> 'clerk_id', p_event_at, p_event_id);
    else
      raise exception 'apply_clerk_event: unknown change %', v_target using errcode = '22023';
  end case;
end;
$$;

revoke all on all functions in schema private from public, anon, authenticated;

create function public.apply_clerk_event(event jsonb)
returns public.clerk_event_outcome
language plpgsql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
declare
  v_svix_id text := event ->> 'svix_id';
  v_type text := event ->> 'type';
  v_event_at timestamptz := (event ->> 'event_at')::timestamptz;
  v_change jsonb := nullif(event -> 'change', 'null'::jsonb);
  v_outcome public.clerk_event_outcome;
  v_error text;
begin
  if v_svix_id is null or v_type is null or v_event_at is null then
    raise exception 'apply_clerk_event: svix_id, type and event_at are required'
      using errcode = '22023';
  end if;

  -- A redelivery of a settled message: count it, change nothing else.
  update public.clerk_events
     set duplicates = duplicates + 1, last_duplicate_at = now()
   where svix_id = v_svix_id and outcome <> 'failed';
  if found then
    return 'duplicate';
  end if;

  if v_change is null then
    v_outcome := 'ignored';
  else
    begin
      v_outcome := case when private.apply_change(v_change, v_event_at, v_svix_id)
                        then 'applied' else 'stale' end;
    exception when data_exception or integrity_constraint_violation or program_limit_exceeded then
      v_outcome := 'failed';
      v_error := sqlstate || ': ' || sqlerrm;
    end;
  end if;

  insert into public.clerk_events as e (
    svix_id, type, object_id, instance_id, event_at, outcome, error, payload
  ) values (
    v_svix_id, v_type, event ->> 'object_id', event ->> 'instance_id', v_event_at,
    v_outcome, v_error, event -> 'payload'
  )
  on conflict (svix_id) do update set
    outcome = excluded.outcome,
    error = excluded.error,
    payload = excluded.payload,
    attempts = e.attempts + 1
  where e.outcome = 'failed';

  if not found then
    -- A concurrent delivery of the same message settled first. Our change above was a
    -- no-op: the clock guard saw the same (event_at, event_id) already written.
    update public.clerk_events
       set duplicates = duplicates + 1, last_duplicate_at = now()
     where svix_id = v_svix_id;
    return 'duplicate';
  end if;

  return v_outcome;
end;
$$;

comment on function public.apply_clerk_event(jsonb) is 'Applies one verified Clerk event exactly once, ordered by event clock, and records it in the ledger. Service role only.';

revoke all on function public.apply_clerk_event(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_event(jsonb) to service_role;

-- apply_clerk_event and apply_clerk_events: the one way synced data is written.
--
-- The webhook function verifies and maps a Clerk event to a change (pure TypeScript,
-- supabase/functions/_shared/events.ts), then makes one call. For each event, in one
-- transaction, private.apply_event:
--   1. answers 'duplicate' if the message id has already settled (no entity lock taken);
--   2. applies the change through private.apply_change, guarded by the event clock
--      (45_apply_clock.sql and the files after it), a clock more than 5 minutes
--      ahead of the time received being clamped to it;
--   3. records the message in the ledger with its outcome, and returns it.
-- A deterministic failure of the data (a check, a foreign key, a value too large) is
-- recorded as 'failed' with the payload, so it can be replayed; any other error is
-- raised, the transaction rolls back, and the webhook answers 5xx so Svix retries.
--
-- Payloads: the webhook says per event whether the ledger keeps it (`keep_payload`,
-- from its LEDGER_PAYLOADS setting). A failed event always keeps its payload, since
-- nothing else can replay it. Callers that do not say (backfill, replay) keep it.
--
-- Group commit: every event applied alone costs a round trip through PostgREST and a
-- commit (a WAL flush). Under a burst the webhook collects the events that arrive
-- while a call is in flight and applies them with apply_clerk_events, in one
-- transaction. No delivery is answered before the group commits, so a 2xx still means
-- the event is durable. A data failure is caught per event (a subtransaction), so one
-- bad event is recorded as failed without failing the others; any other error rolls
-- the whole group back and every delivery in it is answered 500. Events are applied in
-- (object_id, svix_id) order, so two groups running at once lock rows in the same
-- order and cannot deadlock; the order does not change the result.
--
-- The public functions are security definer so that webhook writes never pass through
-- user policies, and executable by service_role only; apply_clerk_events also by the
-- webhook's own login role, clerk_webhook (65_clerk_webhook_role.sql).
--
-- Argument shape of one event:
--   { svix_id, type, event_at, object_id, instance_id, payload, keep_payload?,
--     change: null | { table: 'profiles' | 'organizations' | 'organization_memberships',
--                      op: 'upsert' | 'tombstone', row: {...} } }

-- Routes a change to its table. Returns true when a row was written, false when stale.
create function private.apply_change(p_change jsonb, p_event_at timestamptz, p_event_id text)
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
      return private.write_profile(v_row, false, p_event_at, p_event_id);
    when 'profiles.tombstone' then
      return private.tombstone_user(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organizations.upsert' then
      return private.write_organization(v_row, false, p_event_at, p_event_id);
    when 'organizations.tombstone' then
      return private.tombstone_organization(v_row ->> 'clerk_id', p_event_at, p_event_id);
    when 'organization_memberships.upsert' then
      return private.write_membership(v_row, false, p_event_at, p_event_id);
    when 'organization_memberships.tombstone' then
      return private.write_membership(v_row, true, p_event_at, p_event_id);
    else
      raise exception 'apply_clerk_event: unknown change %', v_target using errcode = '22023';
  end case;
end;
$$;

create function private.apply_event(event jsonb)
returns public.clerk_event_outcome
language plpgsql
set search_path = ''
as $$
declare
  v_svix_id text := event ->> 'svix_id';
  v_type text := event ->> 'type';
  v_event_at timestamptz := (event ->> 'event_at')::timestamptz;
  v_clamped_from timestamptz;
  v_change jsonb := nullif(event -> 'change', 'null'::jsonb);
  v_outcome public.clerk_event_outcome;
  v_error text;
begin
  if v_svix_id is null or v_type is null or v_event_at is null then
    raise exception 'apply_clerk_event: svix_id, type and event_at are required'
      using errcode = '22023';
  end if;

  -- A clock from the future would win against every later event of its object: an
  -- update dated 9999 would keep the next year of updates out. An event dated more
  -- than 5 minutes (Svix's own tolerance) after it was received is clocked at the time
  -- received instead, and the ledger keeps the clock it claimed.
  if v_event_at > now() + interval '5 minutes' then
    v_clamped_from := v_event_at;
    v_event_at := now();
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
    svix_id, type, object_id, instance_id, event_at, clamped_from, outcome, error, payload
  ) values (
    v_svix_id, v_type, event ->> 'object_id', event ->> 'instance_id', v_event_at, v_clamped_from,
    v_outcome, v_error,
    case when v_outcome = 'failed' or coalesce((event ->> 'keep_payload')::boolean, true)
         then event -> 'payload' end
  )
  on conflict (svix_id) do update set
    event_at = excluded.event_at,
    clamped_from = excluded.clamped_from,
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

create function public.apply_clerk_event(event jsonb)
returns public.clerk_event_outcome
language sql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
  select private.apply_event(event);
$$;

comment on function public.apply_clerk_event(jsonb) is 'Applies one verified Clerk event exactly once, ordered by event clock, and records it in the ledger. Service role only.';

-- Takes a JSON array of events (each the argument of apply_clerk_event) and returns
-- their outcomes in the same order.
create function public.apply_clerk_events(events jsonb)
returns public.clerk_event_outcome[]
language plpgsql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
declare
  v_outcomes public.clerk_event_outcome[] := array_fill(null::public.clerk_event_outcome, array[jsonb_array_length(events)]);
  v_item record;
begin
  for v_item in
    select e.value, e.ordinality
      from jsonb_array_elements(events) with ordinality as e
     order by e.value ->> 'object_id', e.value ->> 'svix_id', e.ordinality
  loop
    v_outcomes[v_item.ordinality] := private.apply_event(v_item.value);
  end loop;
  return v_outcomes;
end;
$$;

comment on function public.apply_clerk_events(jsonb) is 'Applies a group of verified Clerk events in one transaction (group commit); outcomes in input order. Service role only.';

revoke all on function
  private.apply_change(jsonb, timestamptz, text),
  private.apply_event(jsonb)
from public, anon, authenticated;

revoke all on function public.apply_clerk_event(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_event(jsonb) to service_role;
revoke all on function public.apply_clerk_events(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_events(jsonb) to service_role;

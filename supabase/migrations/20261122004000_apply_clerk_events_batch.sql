-- apply_clerk_events: group commit for the webhook.
--
-- Every event applied alone costs a round trip through PostgREST and a commit (a WAL
-- flush). Under a burst of deliveries the function instead collects the events that
-- arrive while a call is in flight and applies them together, in one transaction:
-- one round trip and one flush for the group. No delivery is answered before the
-- group's transaction commits, so a 2xx still means the event is durable.
--
-- The per-event logic moves, unchanged, into private.apply_event, so that
-- apply_clerk_event (one event: backfill, replay) and apply_clerk_events (a group)
-- cannot drift apart. A data failure is still caught per event (a subtransaction),
-- so one bad event is recorded as failed without failing the others; any other
-- error rolls the whole group back and every delivery in it is answered 500.
--
-- Events are applied in (object_id, svix_id) order, so two groups running at once
-- (several function instances) lock rows in the same order and cannot deadlock.
-- The order does not change the result: every write is guarded by the event clock.

create or replace function private.apply_event(event jsonb)
returns public.clerk_event_outcome
language plpgsql
set search_path = ''
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

revoke all on function private.apply_event(jsonb) from public, anon, authenticated;

create or replace function public.apply_clerk_event(event jsonb)
returns public.clerk_event_outcome
language sql
security definer
set search_path = ''
set lock_timeout = '5s'
as $$
  select private.apply_event(event);
$$;

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

revoke all on function public.apply_clerk_event(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_event(jsonb) to service_role;
revoke all on function public.apply_clerk_events(jsonb) from public, anon, authenticated;
grant execute on function public.apply_clerk_events(jsonb) to service_role;

-- Which ledger rows keep their event's payload.
--
-- The payload is what a replay of a failed event needs, and an audit trail of what
-- Clerk sent. It is also the largest part of each ledger row (names, emails, metadata)
-- and about a third of the database work per event. The webhook function now says per
-- event whether to keep it (`keep_payload`, from its LEDGER_PAYLOADS setting: `all` by
-- default, or `failed`). A failed event always keeps its payload, whatever the setting,
-- since nothing else can replay it. Callers that do not say (backfill, replay) keep it.
--
-- private.apply_event is otherwise unchanged from 20261122004000.

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
    v_outcome, v_error,
    case when v_outcome = 'failed' or coalesce((event ->> 'keep_payload')::boolean, true)
         then event -> 'payload' end
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

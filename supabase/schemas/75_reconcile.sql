-- The scheduled reconcile: its lease, its cursors, and what its last step saw.
--
-- Webhooks get lost (Svix gives up after about 28 hours, and disables an endpoint that
-- failed for 5 days, telling only the sender). The reconcile step (the clerk-reconcile
-- Edge Function, and `npm run clerk -- reconcile|backfill`) reads what changed in
-- Clerk's Backend API since a cursor and applies the difference through
-- apply_clerk_events, a bounded amount per call. This file keeps what must survive
-- between its calls, one row per run:
--
--   reconcile   the scheduled run (pg_cron + pg_net on hosted Supabase, a timer in the
--               local stack); its repairs feed the "webhooks missing" alarm.
--   backfill    `npm run clerk -- backfill`: its own cursors, so a backfill never
--               rewinds the schedule, and never raises the alarm.
--
-- The lease makes each run single-writer: a step takes it for a few minutes, extends it
-- with every cursor it saves, and gives it back when it returns. Every write is fenced
-- by the holder's name, so a step whose lease expired (a crashed or frozen function)
-- and was taken over can no longer move the cursor: it learns it lost the lease and
-- stops. A crashed holder's lease simply runs out.
--
-- `state` is the step's own document (cursors per kind, the deletion sweep, the alarm
-- per kind): the step is the only code that reads it whole, so its shape lives in
-- supabase/functions/_shared/reconcile-step.ts, next to the code that writes it.
-- sync_health reads two parts of it: `alarm` and the time of the last step.

create table private.reconcile_runs (
  name text primary key check (name in ('reconcile', 'backfill')),
  holder text,
  lease_until timestamptz,
  state jsonb not null default '{}'::jsonb,
  last_step jsonb,
  schedule_seconds integer check (schedule_seconds > 0),
  updated_at timestamptz not null default now()
);

comment on table private.reconcile_runs is 'One row per reconcile run (reconcile: the schedule; backfill: the CLI): the single-writer lease, the step''s cursors and alarm (state), and the last step''s report. Written only through reconcile_acquire/save/finish.';
comment on column private.reconcile_runs.holder is 'Who holds the lease (the step''s name for itself, e.g. clerk-reconcile:<uuid>); null when free.';
comment on column private.reconcile_runs.state is 'The step''s cursors per kind, its deletion sweep, and the webhooks-missing alarm per kind (see reconcile-step.ts).';
comment on column private.reconcile_runs.last_step is 'The report of the last step that finished: when, what it read, what it repaired, why it stopped.';
comment on column private.reconcile_runs.schedule_seconds is 'The schedule''s interval as its caller said, for the next run''s time on the health page.';

alter table private.reconcile_runs enable row level security;
revoke all on table private.reconcile_runs from public, anon, authenticated;

-- Takes the lease of a run, or says who holds it and until when.
create function public.reconcile_acquire(
  run text,
  holder text,
  lease_seconds integer,
  schedule_seconds integer default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run private.reconcile_runs;
begin
  if lease_seconds is null or lease_seconds not between 1 and 3600 then
    raise exception 'reconcile_acquire: lease_seconds must be between 1 and 3600' using errcode = '22023';
  end if;
  if holder is null or length(holder) not between 1 and 200 then
    raise exception 'reconcile_acquire: holder must be 1 to 200 characters' using errcode = '22023';
  end if;

  insert into private.reconcile_runs (name) values (run) on conflict (name) do nothing;
  select * into v_run from private.reconcile_runs r where r.name = run for update;

  if v_run.holder is not null and v_run.holder <> reconcile_acquire.holder and v_run.lease_until > now() then
    return jsonb_build_object('acquired', false, 'holder', v_run.holder, 'lease_until', v_run.lease_until);
  end if;

  update private.reconcile_runs r
     set holder = reconcile_acquire.holder,
         lease_until = now() + make_interval(secs => lease_seconds),
         schedule_seconds = coalesce(reconcile_acquire.schedule_seconds, r.schedule_seconds),
         updated_at = now()
   where r.name = run
  returning * into v_run;

  return jsonb_build_object(
    'acquired', true,
    'holder', v_run.holder,
    'lease_until', v_run.lease_until,
    'state', v_run.state,
    'now', now()
  );
end;
$$;

comment on function public.reconcile_acquire(text, text, integer, integer) is 'The reconcile step''s lease: {acquired: true, state, lease_until} for the caller, or {acquired: false, holder, lease_until} while another step holds it. Service role only.';

-- Saves the step's state and extends its lease; false when the caller no longer holds it.
create function public.reconcile_save(run text, holder text, state jsonb, lease_seconds integer)
returns boolean
language sql
security definer
set search_path = ''
as $$
  update private.reconcile_runs r
     set state = reconcile_save.state,
         lease_until = now() + make_interval(secs => lease_seconds),
         updated_at = now()
   where r.name = run and r.holder = reconcile_save.holder
  returning true
$$;

comment on function public.reconcile_save(text, text, jsonb, integer) is 'Saves the step''s cursors and extends its lease, fenced by the holder: null (no row) when the lease was taken over. Service role only.';

-- Saves the final state and the step's report, and gives the lease back.
create function public.reconcile_finish(run text, holder text, state jsonb, step jsonb)
returns boolean
language sql
security definer
set search_path = ''
as $$
  update private.reconcile_runs r
     set state = reconcile_finish.state,
         last_step = step,
         holder = null,
         lease_until = null,
         updated_at = now()
   where r.name = run and r.holder = reconcile_finish.holder
  returning true
$$;

comment on function public.reconcile_finish(text, text, jsonb, jsonb) is 'Ends a step: its state, its report, and the lease given back; fenced by the holder. Service role only.';

-- The rows here of the given Clerk ids, for the step to compare with what Clerk shows.
create function public.reconcile_local_rows(kind text, ids text[])
returns table (clerk_id text, clerk_updated_at timestamptz, deleted_at timestamptz, organization_id text, user_id text)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  case kind
    when 'users' then
      return query select p.clerk_id, p.clerk_updated_at, p.deleted_at, null::text, null::text
        from public.profiles p where p.clerk_id = any (ids);
    when 'organizations' then
      return query select o.clerk_id, o.clerk_updated_at, o.deleted_at, null::text, null::text
        from public.organizations o where o.clerk_id = any (ids);
    when 'memberships' then
      return query select m.clerk_id, m.clerk_updated_at, m.deleted_at, m.organization_id, m.user_id
        from public.organization_memberships m where m.clerk_id = any (ids);
    else
      raise exception 'reconcile_local_rows: kind must be users, organizations or memberships' using errcode = '22023';
  end case;
end;
$$;

comment on function public.reconcile_local_rows(text, text[]) is 'Clock and tombstone of the synced rows with these Clerk ids (users, organizations or memberships). Service role only.';

-- The deletion sweep's next live rows, in key order after the given key: clerk_id for
-- users and organizations; (organization_id, clerk_id) for memberships, so that one
-- Backend API request per organization checks many of them.
create function public.reconcile_sweep_rows(kind text, after_key text[], max_rows integer)
returns table (clerk_id text, organization_id text, user_id text)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  case kind
    when 'users' then
      return query select p.clerk_id, null::text, null::text
        from public.profiles p
       where p.deleted_at is null and p.clerk_id > coalesce(after_key[1], '')
       order by p.clerk_id limit max_rows;
    when 'organizations' then
      return query select o.clerk_id, null::text, null::text
        from public.organizations o
       where o.deleted_at is null and o.clerk_id > coalesce(after_key[1], '')
       order by o.clerk_id limit max_rows;
    when 'memberships' then
      return query select m.clerk_id, m.organization_id, m.user_id
        from public.organization_memberships m
       where m.deleted_at is null
         and (m.organization_id, m.clerk_id) > (coalesce(after_key[1], ''), coalesce(after_key[2], ''))
       order by m.organization_id, m.clerk_id limit max_rows;
    else
      raise exception 'reconcile_sweep_rows: kind must be users, organizations or memberships' using errcode = '22023';
  end case;
end;
$$;

comment on function public.reconcile_sweep_rows(text, text[], integer) is 'The deletion sweep''s next live rows after a key (clerk_id; organization_id, clerk_id for memberships). Service role only.';

create function public.reconcile_live_count(kind text)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  case kind
    when 'users' then return (select count(*) from public.profiles p where p.deleted_at is null);
    when 'organizations' then return (select count(*) from public.organizations o where o.deleted_at is null);
    when 'memberships' then return (select count(*) from public.organization_memberships m where m.deleted_at is null);
    else
      raise exception 'reconcile_live_count: kind must be users, organizations or memberships' using errcode = '22023';
  end case;
end;
$$;

comment on function public.reconcile_live_count(text) is 'Live rows of a kind here: the base of the deletion sweep''s guard on mass deletes. Service role only.';

revoke all on function public.reconcile_acquire(text, text, integer, integer) from public, anon, authenticated;
revoke all on function public.reconcile_save(text, text, jsonb, integer) from public, anon, authenticated;
revoke all on function public.reconcile_finish(text, text, jsonb, jsonb) from public, anon, authenticated;
revoke all on function public.reconcile_local_rows(text, text[]) from public, anon, authenticated;
revoke all on function public.reconcile_sweep_rows(text, text[], integer) from public, anon, authenticated;
revoke all on function public.reconcile_live_count(text) from public, anon, authenticated;
grant execute on function public.reconcile_acquire(text, text, integer, integer) to service_role;
grant execute on function public.reconcile_save(text, text, jsonb, integer) to service_role;
grant execute on function public.reconcile_finish(text, text, jsonb, jsonb) to service_role;
grant execute on function public.reconcile_local_rows(text, text[]) to service_role;
grant execute on function public.reconcile_sweep_rows(text, text[], integer) to service_role;
grant execute on function public.reconcile_live_count(text) to service_role;

-- What sync_health and the health page read of the scheduled run.
create function private.reconcile_summary()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'last_step_at', r.last_step ->> 'finished_at',
    'last_step', r.last_step,
    'holder', case when r.lease_until > now() then r.holder end,
    'lease_until', case when r.lease_until > now() then r.lease_until end,
    'schedule_seconds', r.schedule_seconds,
    'next_run_at', (r.last_step ->> 'started_at')::timestamptz + make_interval(secs => r.schedule_seconds),
    'cursors', r.state -> 'cursors',
    'sweep', r.state -> 'sweep',
    'alarm', coalesce(r.state -> 'alarm', '{}'::jsonb)
  )
  from private.reconcile_runs r
  where r.name = 'reconcile'
$$;

revoke all on function private.reconcile_summary() from public, anon, authenticated;

-- The webhooks-missing alarm of the scheduled run, or null: the step raises it for a
-- kind when it had to repair changes older than its grace period (Clerk changed
-- something that no webhook delivered in time), and clears it when a later step sees
-- new changes of that kind already here (webhooks flow again).
create function private.webhooks_missing(p_summary jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when count(*) > 0 then jsonb_build_object(
           'since', min((a.value ->> 'since')::timestamptz),
           'detected_at', min((a.value ->> 'detected_at')::timestamptz),
           'kinds', jsonb_agg(a.key order by a.key),
           'repaired', sum((a.value ->> 'repaired')::bigint)
         ) end
    from jsonb_each(coalesce(p_summary -> 'alarm', '{}'::jsonb)) a
$$;

revoke all on function private.webhooks_missing(jsonb) from public, anon, authenticated;

-- Whether the scheduled reconcile vouches for the data: a step succeeded within
-- stale_after_seconds, or within three of the schedule's intervals (a schedule may run
-- late). While it does, the age of the last webhook is only advisory: the reconcile is
-- what compares with Clerk, and a quiet app has no webhook for hours.
create function private.reconcile_vouches(p_summary jsonb, p_stale_after_seconds integer)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    now() - (p_summary -> 'last_step' ->> 'last_ok_at')::timestamptz
      <= make_interval(secs => greatest(coalesce(p_stale_after_seconds, 3600), 3 * (p_summary ->> 'schedule_seconds')::integer)),
    false)
$$;

revoke all on function private.reconcile_vouches(jsonb, integer) from public, anon, authenticated;

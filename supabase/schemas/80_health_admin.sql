-- Sync health: numbers for uptime monitors, and a report for the admins' dashboard page.
--
-- A stalled sync is silent: Clerk keeps working, webhooks stop arriving, and nothing
-- fails. Two signals tell it: the scheduled reconcile (75_reconcile.sql) repairing
-- changes no webhook delivered in time (webhooks missing), and, while no reconcile
-- runs, the age of the last webhook.
--
-- Both count webhooks only: backfill, reconcile and pull rows (clerk_events.source)
-- are clocked by the object's updated_at and arrive by the thousand.
--
--   public.sync_health(stale_after_seconds)        anyone: status, failed count, last
--                                                  webhook age, at a bounded cost. Answers
--                                                  HTTP 503 through PostgREST unless ok.
--   public.sync_health_report(window, stale_after) admins only: the dashboard page.
--   public.sync_reconcile_report()                 admins only: the page's reconcile view.
--   public.authorize_sync_admin()                  admins only: the clerk-sync-admin
--                                                  function's check of its caller.
--   public.discard_failed_event(message_id, …)     admins and the service role: give up
--                                                  on a failed event, recorded and audited.
--
-- Admins are users whose Clerk session token carries metadata.role = 'admin'. Clerk
-- puts it there from the user's public_metadata with the session token template
-- {"metadata": "{{user.public_metadata}}"}; public_metadata can only be written with
-- the Backend API, so a user cannot make themselves an admin. The claim stops counting
-- when the user is deleted: a deleted admin's token opens nothing.

create function private.is_sync_admin()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(auth.jwt() ->> 'role' = 'service_role', false)
      or (coalesce(auth.jwt() -> 'metadata' ->> 'role' = 'admin', false) and private.signed_in_user() is not null)
$$;

comment on function private.is_sync_admin() is 'True for a Clerk session token with metadata.role = admin (session token template {"metadata": "{{user.public_metadata}}"}) of a user who is not deleted, and for the service role.';

revoke all on function private.is_sync_admin() from public, anon, authenticated;

-- Anyone with the anon key may call it, as often as they like, so its cost is bounded
-- whatever the size of the ledger: the newest webhook is one probe of the partial
-- index on received_at where source = 'webhook', and failed events are counted in the
-- partial index of failed events, up to 1,000 (a count of 1000 means "1,000 or more").
-- It never walks the ledger. What it tells anon is only what a monitor needs: ok,
-- stalled or failing, how many events wait for a replay, and when the last webhook
-- arrived. The ledger's size is for admins, in sync_health_report.
--
-- Webhooks missing beside failing; silence alone is advisory once the reconcile
-- vouches for the data. A quiet app has no webhook for hours, and a busy one that lost
-- one event type keeps receiving the others: the age of the last webhook is wrong both
-- ways. Once the scheduled reconcile runs, it is the real check (it compares with
-- Clerk), so silence is only an advisory while a reconcile step has succeeded within
-- stale_after_seconds. Without one, silence is the only signal there is, and it stays
-- an alarm. The reconcile's summary is one row (private.reconcile_runs).
create function public.sync_health(stale_after_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_last timestamptz;
  v_failed bigint;
  v_age numeric;
  v_status text;
  v_reconcile jsonb;
  v_missing jsonb;
  v_vouched boolean;
  v_silent boolean;
begin
  if stale_after_seconds is not null and stale_after_seconds < 1 then
    raise exception 'sync_health: stale_after_seconds must be at least 1' using errcode = '22023';
  end if;

  select max(e.received_at) into v_last from public.clerk_events e where e.source = 'webhook';
  select count(*) into v_failed
    from (select 1 from public.clerk_events e where e.outcome = 'failed' limit 1000) failed;
  v_age := round(extract(epoch from now() - v_last), 3);

  v_reconcile := private.reconcile_summary();
  v_missing := private.webhooks_missing(v_reconcile);
  v_silent := stale_after_seconds is not null and (v_last is null or v_age > stale_after_seconds);
  v_vouched := private.reconcile_vouches(v_reconcile, stale_after_seconds);

  v_status := case
    when v_failed > 0 then 'failing'
    when v_missing is not null then 'webhooks_missing'
    when v_silent and not v_vouched then 'stalled'
    else 'ok'
  end;

  -- PostgREST turns this into the HTTP status, so an uptime monitor needs no parsing.
  if v_status <> 'ok' then
    perform set_config('response.status', '503', true);
  end if;

  return jsonb_build_object(
    'status', v_status,
    'last_event_received_at', v_last,
    'last_event_age_seconds', v_age,
    'stale_after_seconds', stale_after_seconds,
    'quiet', v_silent and v_vouched,
    -- Since when and which kinds, for anyone; how many were repaired is the admins' (sync_reconcile_report).
    'webhooks_missing', v_missing - 'repaired',
    'reconcile_last_step_at', v_reconcile ->> 'last_step_at',
    'failed_count', v_failed,
    'checked_at', now()
  );
end;
$$;

comment on function public.sync_health(integer) is 'For uptime monitors: status (ok; failing: failed events wait for a replay; webhooks_missing: the reconcile repaired changes no webhook delivered; stalled: no webhook for stale_after_seconds and no recent reconcile step to vouch for the data), failed events (counted up to 1000) and the last webhook''s time and age. HTTP 503 unless ok. Bounded cost, whatever the ledger''s size.';

revoke all on function public.sync_health(integer) from public;
grant execute on function public.sync_health(integer) to anon, authenticated, service_role;

create function public.sync_health_report(window_minutes integer default 60, stale_after_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_since timestamptz;
  v_last record;
  v_result jsonb;
begin
  if not private.is_sync_admin() then
    raise exception 'sync_health_report is for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  if window_minutes is null or window_minutes not between 1 and 1440 then
    raise exception 'sync_health_report: window_minutes must be between 1 and 1440' using errcode = '22023';
  end if;
  if stale_after_seconds is not null and stale_after_seconds < 1 then
    raise exception 'sync_health_report: stale_after_seconds must be at least 1' using errcode = '22023';
  end if;

  v_since := date_trunc('minute', now()) - make_interval(mins => window_minutes - 1);

  select e.received_at, e.event_at into v_last
    from public.clerk_events e
   where e.source = 'webhook'
   order by e.received_at desc
   limit 1;

  select jsonb_build_object(
    'generated_at', now(),
    'window_minutes', window_minutes,
    'stale_after_seconds', stale_after_seconds,
    'last_event_received_at', v_last.received_at,
    'last_event_at', v_last.event_at,
    'last_event_age_seconds', round(extract(epoch from now() - v_last.received_at), 3),
    -- Silence is a stall only while no reconcile step vouches for the data (see sync_health).
    'stalled', stale_after_seconds is not null
               and (v_last.received_at is null or now() - v_last.received_at > make_interval(secs => stale_after_seconds))
               and not private.reconcile_vouches(private.reconcile_summary(), stale_after_seconds),
    'lag_seconds', (
      select jsonb_build_object(
        'p50', round(percentile_cont(0.5) within group (order by lag)::numeric, 3),
        'p95', round(percentile_cont(0.95) within group (order by lag)::numeric, 3),
        'max', round(max(lag)::numeric, 3),
        'last', round(extract(epoch from v_last.received_at - v_last.event_at), 3)
      )
      from (select extract(epoch from e.received_at - e.event_at) as lag
              from public.clerk_events e
             where e.source = 'webhook' and e.received_at >= v_since) lags
    ),
    'per_minute', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'minute', minutes.minute,
               'applied', coalesce(counts.applied, 0),
               'stale', coalesce(counts.stale, 0),
               'ignored', coalesce(counts.ignored, 0),
               'failed', coalesce(counts.failed, 0)
             ) order by minutes.minute), '[]'::jsonb)
        from generate_series(v_since, date_trunc('minute', now()), interval '1 minute') as minutes(minute)
        left join (
          select date_trunc('minute', e.received_at) as minute,
                 count(*) filter (where e.outcome = 'applied') as applied,
                 count(*) filter (where e.outcome = 'stale') as stale,
                 count(*) filter (where e.outcome = 'ignored') as ignored,
                 count(*) filter (where e.outcome = 'failed') as failed
            from public.clerk_events e
           where e.source = 'webhook' and e.received_at >= v_since
           group by 1
        ) counts on counts.minute = minutes.minute
    ),
    'redelivered_in_window', (
      select count(*) from public.clerk_events e where e.last_duplicate_at >= v_since
    ),
    'api_rows_in_window', (
      select jsonb_build_object(
        'backfill', count(*) filter (where e.source = 'backfill'),
        'reconcile', count(*) filter (where e.source = 'reconcile'),
        'pull', count(*) filter (where e.source = 'pull')
      )
      from public.clerk_events e
     where e.received_at >= v_since and e.source <> 'webhook'
    ),
    'failed_count', (select count(*) from public.clerk_events e where e.outcome = 'failed'),
    'failed', (
      select coalesce(jsonb_agg(jsonb_build_object(
               'svix_id', f.svix_id,
               'type', f.type,
               'object_id', f.object_id,
               'source', f.source,
               'event_at', f.event_at,
               'received_at', f.received_at,
               'attempts', f.attempts,
               'error', f.error
             ) order by f.received_at desc), '[]'::jsonb)
        from (select * from public.clerk_events e
               where e.outcome = 'failed'
               order by e.received_at desc
               limit 50) f
    ),
    'ledger_rows', (select count(*) from public.clerk_events),
    'ledger_bytes', pg_catalog.pg_total_relation_size('public.clerk_events'::regclass)
  ) into v_result;

  return v_result;
end;
$$;

comment on function public.sync_health_report(integer, integer) is 'For the admins'' health page: webhook events per minute by outcome, last event and lag (received minus event time), the 50 newest failed events, ledger size. Raises 42501 for non-admins.';

revoke all on function public.sync_health_report(integer, integer) from public, anon;
grant execute on function public.sync_health_report(integer, integer) to authenticated, service_role;

-- The admin check of the clerk-sync-admin Edge Function. That function re-applies
-- failed ledger events as the service role, on behalf of a dashboard admin. It is
-- deployed with verify_jwt = false (so the browser's CORS preflight reaches it), so it
-- must not judge the caller's token itself: it calls this function through PostgREST
-- with the caller's own token. PostgREST (and, on hosted Supabase, the third-party
-- auth setting that trusts only Clerk) verifies the token's signature, expiry and
-- issuer; this function then applies the same admin rule as sync_health_report. One rule, checked by the database, on every platform.
--
-- Answers the caller's Clerk user id, for the function's log; raises 42501 (HTTP 403
-- through PostgREST) for a signed-in non-admin. anon may not call it at all (HTTP 401).
create function public.authorize_sync_admin()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_sync_admin() then
    raise exception 'sync admin actions are for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  return coalesce(auth.jwt() ->> 'sub', auth.jwt() ->> 'role');
end;
$$;

comment on function public.authorize_sync_admin() is 'Returns the caller''s Clerk user id if their session token makes them a sync admin (metadata.role = admin), else raises 42501. Called by the clerk-sync-admin function with the caller''s own token.';

revoke all on function public.authorize_sync_admin() from public, anon;
grant execute on function public.authorize_sync_admin() to authenticated, service_role;

-- Giving up on a failed event. Some failures no fix can repair (the event breaks a rule
-- on purpose, or names an object Clerk deleted long ago), and while one is failed,
-- sync_health answers 503. Discarding it settles it as 'discarded': it stays in the
-- ledger (payload included, until retention clears it) with who and when, and one row
-- in clerk_event_audit says why.
--
-- Who may: a signed-in admin (their Clerk user id is recorded, whatever on_behalf_of
-- says), or the service role, which names whom it acts for (the clerk-sync-admin
-- function passes the admin it checked; the CLI passes cli:<user>).
--
-- Answers {result: discarded, svix_id, type, object_id, attempts, error, discarded_by,
-- discarded_at}, {result: not_failed, svix_id, outcome} (nothing done), or
-- {result: unknown, svix_id}.
create function public.discard_failed_event(message_id text, on_behalf_of text default null, reason text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_actor text;
  v_row public.clerk_events;
  v_outcome public.clerk_event_outcome;
begin
  if not private.is_sync_admin() then
    raise exception 'discard_failed_event is for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  if length(reason) > 500 then
    raise exception 'discard_failed_event: reason must be at most 500 characters' using errcode = '22023';
  end if;
  v_actor := case
    when auth.jwt() ->> 'role' = 'service_role' then coalesce(nullif(trim(on_behalf_of), ''), 'service_role')
    else auth.jwt() ->> 'sub'
  end;

  update public.clerk_events e
     set outcome = 'discarded', discarded_by = v_actor, discarded_at = now()
   where e.svix_id = message_id and e.outcome = 'failed'
  returning * into v_row;

  if not found then
    select e.outcome into v_outcome from public.clerk_events e where e.svix_id = message_id;
    return case when found
      then jsonb_build_object('result', 'not_failed', 'svix_id', message_id, 'outcome', v_outcome)
      else jsonb_build_object('result', 'unknown', 'svix_id', message_id)
    end;
  end if;

  insert into public.clerk_event_audit (action, svix_id, actor, reason, detail)
  values ('discard', v_row.svix_id, v_actor, nullif(trim(reason), ''), jsonb_build_object(
    'type', v_row.type, 'object_id', v_row.object_id, 'attempts', v_row.attempts, 'error', v_row.error
  ));

  return jsonb_build_object(
    'result', 'discarded',
    'event', jsonb_build_object('svix_id', v_row.svix_id, 'type', v_row.type, 'object_id', v_row.object_id, 'attempts', v_row.attempts, 'error', v_row.error),
    'discarded_by', v_row.discarded_by,
    'discarded_at', v_row.discarded_at
  );
end;
$$;

comment on function public.discard_failed_event(text, text, text) is 'Settles a failed ledger event as discarded (it no longer makes sync_health fail), recording who and when in the row and why in clerk_event_audit. Admins and the service role only (42501 otherwise).';

revoke all on function public.discard_failed_event(text, text, text) from public, anon;
grant execute on function public.discard_failed_event(text, text, text) to authenticated, service_role;

-- The operator view of the health page: the scheduled run's last step, cursors,
-- lease holder, next run, and the alarm.
create function public.sync_reconcile_report()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_summary jsonb;
begin
  if not private.is_sync_admin() then
    raise exception 'sync_reconcile_report is for admins: a Clerk session token with metadata.role = admin'
      using errcode = '42501';
  end if;
  v_summary := coalesce(private.reconcile_summary(), '{}'::jsonb);
  return v_summary || jsonb_build_object('webhooks_missing', private.webhooks_missing(v_summary), 'generated_at', now());
end;
$$;

comment on function public.sync_reconcile_report() is 'For the admins'' health page: the scheduled reconcile''s last step (when, what it read and repaired, why it stopped), its cursors, the lease holder, the next run, and the webhooks-missing alarm. Raises 42501 for non-admins.';

revoke all on function public.sync_reconcile_report() from public, anon;
grant execute on function public.sync_reconcile_report() to authenticated, service_role;

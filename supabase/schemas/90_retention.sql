-- Ledger retention: the ledger grows by one row per message forever, and every row
-- keeps its event's payload (names, emails, metadata). Keeping personal data longer
-- than it is useful is a liability, so retention is in two steps:
--   1. payloads: cleared after `payloads_older_than` (default 30 days). The row stays,
--      so exactly-once still holds and the audit trail keeps type, object, clock and
--      outcome.
--   2. rows: deleted after `rows_older_than`, when given. At least 2 days: Svix retries
--      a message for about 28 hours, and a retry whose row is gone would be applied as
--      new (harmless, since the row clock makes it stale, but no longer exactly once).
-- Failed events are never touched: their payload is what a replay needs.
--
-- Run it daily: locally `npm run clerk -- prune-ledger --older-than 30d`, on hosted
-- Supabase with pg_cron (see the README):
--   select cron.schedule('prune-clerk-events', '17 3 * * *',
--     $$select public.prune_clerk_events(interval '30 days', interval '180 days')$$);

create function public.prune_clerk_events(
  payloads_older_than interval default interval '30 days',
  rows_older_than interval default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cleared bigint := 0;
  v_deleted bigint := 0;
begin
  if payloads_older_than is null or payloads_older_than < interval '0' then
    raise exception 'prune_clerk_events: payloads_older_than must be zero or more' using errcode = '22023';
  end if;
  if rows_older_than is not null and rows_older_than < interval '2 days' then
    raise exception 'prune_clerk_events: rows_older_than must be at least 2 days (Svix retries for about 28 hours)'
      using errcode = '22023';
  end if;

  if rows_older_than is not null then
    delete from public.clerk_events e
     where e.received_at < now() - rows_older_than
       and e.outcome <> 'failed';
    get diagnostics v_deleted = row_count;
  end if;

  update public.clerk_events e
     set payload = null
   where e.received_at < now() - payloads_older_than
     and e.payload is not null
     and e.outcome <> 'failed';
  get diagnostics v_cleared = row_count;

  return jsonb_build_object('payloads_cleared', v_cleared, 'rows_deleted', v_deleted);
end;
$$;

comment on function public.prune_clerk_events(interval, interval) is 'Ledger retention: clears payloads older than payloads_older_than and deletes rows older than rows_older_than (at least 2 days); failed events are kept. Service role only; schedule it with pg_cron.';

revoke all on function public.prune_clerk_events(interval, interval) from public, anon, authenticated;
grant execute on function public.prune_clerk_events(interval, interval) to service_role;

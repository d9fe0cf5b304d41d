-- The on-demand sync of the caller's own user: what the clerk-sync-self Edge Function
-- needs from the database besides apply_clerk_events.
--
-- A signed-in user whose row is missing (the user.created webhook is late, or never
-- came) asks the function to pull their user from Clerk's Backend API. Two rules make
-- that safe:
--   * the caller names only themselves. The function is deployed with verify_jwt =
--     false (a browser's CORS preflight carries no token), so it never judges the token
--     itself: it calls session_clerk_id() through PostgREST with the caller's own token,
--     and PostgREST (with hosted Supabase's third-party auth, which trusts only Clerk)
--     checks signature, expiry and issuer. The answer is the only user it syncs.
--   * the cost is bounded. Each pull spends Clerk Backend API requests, whose rate limit
--     the whole Clerk instance shares (100 per 10 s on a development instance). So a user
--     may pull at most once per interval, and the claim lives here, not in a function
--     instance's memory: hosted Supabase runs many instances, and a limit one instance
--     keeps is no limit.
--
--   public.session_clerk_id()                  signed-in users: the token's sub
--   public.claim_self_sync(user, interval)     service role: the rate limit
--   private.self_sync_pulls                    one row per user: their last pull

create function public.session_clerk_id()
returns text
language sql
stable
set search_path = ''
as $$
  select auth.jwt() ->> 'sub'
$$;

comment on function public.session_clerk_id() is 'The Clerk user id (sub) of the caller''s verified session token. Called by clerk-sync-self with the caller''s own token: the one user it may sync.';

revoke all on function public.session_clerk_id() from public, anon;
grant execute on function public.session_clerk_id() to authenticated;

create table private.self_sync_pulls (
  clerk_id text primary key,
  pulled_at timestamptz not null
);

comment on table private.self_sync_pulls is 'When each user last pulled their own user from Clerk through clerk-sync-self: one row per user, the rate limit shared by every function instance.';

alter table private.self_sync_pulls enable row level security;
revoke all on table private.self_sync_pulls from public, anon, authenticated;

-- Claims the user's pull for this interval. One statement decides: of two instances
-- claiming at once, the second waits for the first's row and then finds it too recent.
create function public.claim_self_sync(p_clerk_id text, p_interval_seconds integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_next timestamptz;
begin
  if p_clerk_id is null or p_interval_seconds is null or p_interval_seconds < 1 then
    raise exception 'claim_self_sync: a user id and an interval of at least 1 second' using errcode = '22023';
  end if;
  insert into private.self_sync_pulls as s (clerk_id, pulled_at)
  values (p_clerk_id, now())
  on conflict (clerk_id) do update set pulled_at = excluded.pulled_at
  where s.pulled_at <= excluded.pulled_at - make_interval(secs => p_interval_seconds);
  if found then
    return 0;
  end if;
  select s.pulled_at + make_interval(secs => p_interval_seconds) into v_next
    from private.self_sync_pulls s
   where s.clerk_id = p_clerk_id;
  return greatest(1, ceil(extract(epoch from v_next - now())))::integer;
end;
$$;

comment on function public.claim_self_sync(text, integer) is 'Rate limit of clerk-sync-self: 0 when the user may pull now (and the pull is recorded), else the whole seconds until they may. Service role only.';

revoke all on function public.claim_self_sync(text, integer) from public, anon, authenticated;
grant execute on function public.claim_self_sync(text, integer) to service_role;

-- The admin check of the clerk-sync-admin Edge Function.
--
-- That function re-applies failed ledger events as the service role, on behalf of a
-- dashboard admin. It is deployed with verify_jwt = false (so the browser's CORS
-- preflight reaches it), so it must not judge the caller's token itself: it calls this
-- function through PostgREST with the caller's own token. PostgREST (and, on hosted
-- Supabase, the third-party auth setting that trusts only Clerk) verifies the token's
-- signature, expiry and issuer; this function then applies the same admin rule as
-- sync_health_report. One rule, checked by the database, on every platform.
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

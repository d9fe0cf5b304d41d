-- The clerk-webhook function's own login role.
--
-- SUPABASE_DB_URL, which every Edge Function gets, names the postgres role: whoever
-- holds it owns the database. The webhook connects as clerk_webhook instead
-- (CLERK_WEBHOOK_DB_URL), which can execute apply_clerk_events and nothing else: no
-- table, view or sequence, no other security definer function, no other role. That
-- function checks and writes everything itself (security definer), so a leaked URL
-- lets its holder do what a signed Clerk event could, and no more.
--
-- The password is not part of the schema: each database sets its own (the local stack
-- does; on hosted Supabase see docs/operations.md). Roles belong to the whole cluster,
-- so the role is created only where it does not exist yet.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'clerk_webhook') then
    create role clerk_webhook with login noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  end if;
end
$$;

comment on role clerk_webhook is 'The clerk-webhook Edge Function (CLERK_WEBHOOK_DB_URL): may only execute public.apply_clerk_events.';

grant usage on schema public to clerk_webhook;
grant execute on function public.apply_clerk_events(jsonb) to clerk_webhook;

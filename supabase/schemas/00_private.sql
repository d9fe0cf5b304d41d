-- The private schema: what the API never exposes.
--
-- PostgREST serves only the schemas in supabase/config.toml ([api] schemas), so
-- nothing here is reachable over HTTP. It holds the apply path's helpers and the
-- functions that row policies call. Functions are executable by PUBLIC when created;
-- here they are executable by nobody unless their file grants it.

create schema if not exists private;
revoke all on schema private from public;

alter default privileges in schema private revoke execute on functions from public;

-- Row policies call private.current_user_organization_ids() as the signed-in user.
grant usage on schema private to authenticated;

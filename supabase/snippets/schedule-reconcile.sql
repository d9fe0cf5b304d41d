-- Schedules the scheduled reconcile on hosted Supabase: pg_cron calls the
-- clerk-reconcile Edge Function every 5 minutes through pg_net. Opt-in, run once by
-- hand (SQL editor, or psql), after `supabase functions deploy clerk-reconcile
-- --no-verify-jwt` and after storing two secrets in Vault:
--
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1/clerk-reconcile', 'clerk_reconcile_url');
--   select vault.create_secret('<the RECONCILE_SECRET you set on the function>', 'clerk_reconcile_secret');
--
-- (`supabase secrets set RECONCILE_SECRET=$(openssl rand -hex 32) CLERK_SECRET_KEY=sk_live_…`
-- gives the function the same secret.) The job reads them from vault.decrypted_secrets
-- at every run, so nothing secret is stored in cron.job, and rotating one is a
-- vault.update_secret away. Running this file again replaces the job (same name).
--
-- Each call is one bounded step (RECONCILE_MAX_REQUESTS, RECONCILE_MAX_SECONDS): on a
-- large instance the first walk takes several runs, each going on from the cursor.
-- Keep schedule_seconds equal to the interval: the health page shows the next run from it.
-- To stop: select cron.unschedule('clerk-reconcile');

do $$
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron') then
    raise exception 'pg_cron is not enabled: Dashboard → Database → Extensions → enable pg_cron, then run this file again';
  end if;
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net') then
    raise exception 'pg_net is not enabled: Dashboard → Database → Extensions → enable pg_net, then run this file again';
  end if;
  if (select count(*) from vault.decrypted_secrets where name in ('clerk_reconcile_url', 'clerk_reconcile_secret')) < 2 then
    raise exception 'Vault lacks clerk_reconcile_url or clerk_reconcile_secret: create them with vault.create_secret (see the top of this file)';
  end if;
end
$$;

select cron.schedule(
  'clerk-reconcile',
  '*/5 * * * *',
  $job$
    select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'clerk_reconcile_url'),
      headers := jsonb_build_object(
        'content-type', 'application/json',
        'x-reconcile-secret', (select decrypted_secret from vault.decrypted_secrets where name = 'clerk_reconcile_secret')
      ),
      body := jsonb_build_object('schedule_seconds', 300),
      timeout_milliseconds := 150000
    )
  $job$
);

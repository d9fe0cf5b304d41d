/**
 * clerk-sync-admin: what the dashboard's admins may ask for that the browser cannot do
 * itself. Today one thing: POST /replay { "svix_id": "msg_…" } re-applies a failed
 * ledger event, exactly as `npm run clerk -- replay-failed --id msg_…` does.
 *
 * Deploy with `supabase functions deploy clerk-sync-admin --no-verify-jwt`: a browser's
 * CORS preflight carries no token, so the platform must let it through. The caller's
 * token is then checked by the database (see _shared/sync-admin-auth.ts), never here.
 */
import { createClient } from "@supabase/supabase-js";
import type { Database } from "../_shared/database.types.ts";
import { replayFailedEvent } from "../_shared/replay.ts";
import { createSyncAdminHandler } from "../_shared/sync-admin.ts";
import { createAdminCheck } from "../_shared/sync-admin-auth.ts";
import { loadSyncAdminConfig } from "../_shared/sync-admin-config.ts";

const config = loadSyncAdminConfig((name) => Deno.env.get(name));

const service = createClient<Database>(config.supabaseUrl, config.serviceRoleKey, {
  auth: { persistSession: false, autoRefreshToken: false },
  global: {
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(config.databaseTimeoutMs) }),
  },
});

Deno.serve(createSyncAdminHandler({
  authorize: createAdminCheck({ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, timeoutMs: config.databaseTimeoutMs }),
  replay: (svixId) => replayFailedEvent(service, svixId),
  allowedOrigins: config.allowedOrigins,
}));

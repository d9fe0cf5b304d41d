/**
 * clerk-sync-admin: what the dashboard's admins may ask for that the browser cannot do
 * itself. Today one thing: POST /replay { "svix_id": "msg_…" } re-applies a failed
 * ledger event, exactly as `npm run clerk -- replay-failed --id msg_…` does.
 *
 * Deploy with `supabase functions deploy clerk-sync-admin --no-verify-jwt`: a browser's
 * CORS preflight carries no token, so the platform must let it through. The caller's
 * token is then checked by the database (see auth.ts), never here.
 */
import { replayFailedEvent } from "../_shared/replay.ts";
import { createServiceClient } from "../_shared/service-client.ts";
import { createAdminCheck } from "./auth.ts";
import { loadSyncAdminConfig } from "./config.ts";
import { createSyncAdminHandler } from "./handler.ts";

const config = loadSyncAdminConfig((name) => Deno.env.get(name));
const service = createServiceClient(config.supabaseUrl, config.serviceRoleKey, config.databaseTimeoutMs);

Deno.serve(createSyncAdminHandler({
  authorize: createAdminCheck({ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, timeoutMs: config.databaseTimeoutMs }),
  replay: (svixId) => replayFailedEvent(service, svixId),
  allowedOrigins: config.allowedOrigins,
}));

/**
 * clerk-sync-self: a signed-in user pulls their own user from Clerk, so no page waits for
 * a webhook that is late, or never comes. POST with the caller's Clerk session token and
 * no body; answers what the pull did (see handler.ts).
 *
 * Deploy with `supabase functions deploy clerk-sync-self --no-verify-jwt`: a browser's
 * CORS preflight carries no token, so the platform must let it through. The caller's
 * token is then checked by the database (auth.ts), never here.
 */
import { createGroupApplier } from "../_shared/apply.ts";
import { createClerkReader } from "../_shared/clerk-api.ts";
import { createServiceClient } from "../_shared/service-client.ts";
import { createSessionCheck } from "./auth.ts";
import { createPullClaim } from "./claim.ts";
import { loadSelfSyncConfig, selfSyncNotice } from "./config.ts";
import { createSelfSyncHandler } from "./handler.ts";
import { pullUser } from "./pull.ts";

const config = loadSelfSyncConfig((name) => Deno.env.get(name));
const notice = selfSyncNotice(config);
if (notice) console.warn(JSON.stringify({ msg: "clerk-sync-self", warning: notice }));
const service = createServiceClient(config.supabaseUrl, config.serviceRoleKey, config.databaseTimeoutMs);

// No waiting and no retries inside a request: a rate-limited or failing Clerk is the
// caller's 503 with Retry-After at once, and the dashboard tries again later.
const reader = createClerkReader({ secretKey: config.clerkSecretKey, apiUrl: config.clerkApiUrl, maxAttempts: 1, maxRateLimitWaits: 0 });
const apply = createGroupApplier(service);

Deno.serve(createSelfSyncHandler({
  identify: createSessionCheck({ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, timeoutMs: config.databaseTimeoutMs }),
  claim: createPullClaim(service, config.intervalSeconds),
  pull: (userId) => pullUser(userId, { reader, apply, clerkTimeoutMs: config.clerkTimeoutMs }),
  allowedOrigins: config.allowedOrigins,
  intervalSeconds: config.intervalSeconds,
}));

/**
 * Where the operator commands read and write, read once from the environment:
 *
 *   CLERK_SECRET_KEY            Clerk Backend API secret key (backfill, reconcile)
 *   CLERK_API_URL               default https://api.clerk.com; the fake API's URL locally
 *   SUPABASE_URL                default: the running local stack's API
 *   SUPABASE_SERVICE_ROLE_KEY   default: the running local stack's service-role key
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { CommandError } from "../lib/cli.ts";
import { explainingFetch } from "../lib/connection.ts";
import { stackOptionsFromEnv } from "../lib/env.ts";
import { readStatus } from "../lib/status.ts";
import { createNodeClient } from "../lib/supabase.ts";

export interface OperatorConfig {
  /** Supabase API URL (`SUPABASE_URL`, else the running local stack's). */
  supabaseUrl: string;
  /** Service-role key that calls apply_clerk_event and prune_clerk_events (`SUPABASE_SERVICE_ROLE_KEY`, else the local stack's). */
  serviceRoleKey: string;
  /** Clerk Backend API secret key (`CLERK_SECRET_KEY`); null when unset. */
  clerkSecretKey: string | null;
  /** Clerk Backend API URL (`CLERK_API_URL`, default https://api.clerk.com). */
  clerkApiUrl: string;
}

/** The configuration, or a CommandError naming what is missing. */
export async function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): Promise<OperatorConfig> {
  const url = env.SUPABASE_URL?.trim();
  const key = env.SUPABASE_SERVICE_ROLE_KEY?.trim();
  // Both or neither: a deployed project's key must never be sent to a local stack, or back.
  if (Boolean(url) !== Boolean(key)) {
    throw new CommandError(`${url ? "SUPABASE_SERVICE_ROLE_KEY" : "SUPABASE_URL"} is not set: set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or neither to use the local stack.`);
  }
  const local = url ? null : await readStatus(stackOptionsFromEnv().stateDir);
  if (!url && !local) {
    throw new CommandError(
      "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are not set and no local stack is running. " +
        "Set both (Supabase dashboard → Project Settings → API), or start the local stack with `npm run stack`.",
    );
  }
  return {
    supabaseUrl: url || local!.apiUrl,
    serviceRoleKey: key || local!.serviceRoleKey,
    clerkSecretKey: env.CLERK_SECRET_KEY?.trim() || null,
    clerkApiUrl: env.CLERK_API_URL?.trim() || "https://api.clerk.com",
  };
}

/** The service-role client the operator commands write with; an unreachable URL is named, with what to check. */
export function operatorClient(config: OperatorConfig): SupabaseClient<Database> {
  return createNodeClient(config.supabaseUrl, config.serviceRoleKey, undefined, { fetch: explainingFetch(`SUPABASE_URL (${config.supabaseUrl})`) });
}

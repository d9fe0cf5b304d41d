import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";

/**
 * supabase-js for Node scripts and tests. Node 20 has no global WebSocket, which
 * supabase-js's realtime client requires at construction, so `ws` stands in.
 */
export function createNodeClient(
  url: string,
  key: string,
  accessToken?: () => Promise<string | null>,
  options: { fetch?: typeof fetch } = {},
): SupabaseClient<Database> {
  return createClient<Database>(url, key, {
    global: options.fetch ? { fetch: options.fetch } : undefined,
    auth: accessToken ? undefined : { persistSession: false, autoRefreshToken: false },
    accessToken,
    realtime: { transport: WebSocket as never },
  });
}

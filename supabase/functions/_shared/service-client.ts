import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";

/**
 * The service-role supabase-js client a function writes synced data with. Every request
 * is cut off after `timeoutMs`, so a stalled database turns into a DatabaseError the
 * function can answer (500, and Svix retries) before the caller itself gives up.
 */
export function createServiceClient(supabaseUrl: string, serviceRoleKey: string, timeoutMs: number): SupabaseClient<Database> {
  return createClient<Database>(supabaseUrl, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: {
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
  });
}

import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../../supabase/functions/_shared/database.types.ts";

export type { Database };
export type Supabase = SupabaseClient<Database>;

/**
 * supabase-js with a third-party session token (Clerk's, or the local stack's dev
 * token): Supabase Auth is not used, so the client asks `accessToken` before every
 * request and falls back to the anon key when it answers null.
 */
export function createSupabase(
  url: string,
  anonKey: string,
  accessToken: () => Promise<string | null>,
  fetchImpl?: typeof fetch,
): Supabase {
  return createClient<Database>(url, anonKey, {
    accessToken,
    global: fetchImpl ? { fetch: fetchImpl } : undefined,
  });
}

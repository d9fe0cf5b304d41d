import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../../supabase/functions/_shared/database.types.ts";
import { reportingUnreachable } from "./unreachable.ts";

export type { Database };
export type Supabase = SupabaseClient<Database>;

/**
 * supabase-js with a third-party session token (Clerk's, or the local stack's dev
 * token): Supabase Auth is not used, so the client asks `accessToken` before every
 * request and falls back to the anon key when it answers null.
 *
 * When the API cannot be reached, requests fail at once with ApiUnreachableError:
 * postgrest-js would otherwise retry a failed read three times over 7 s, and TanStack
 * Query once more, showing skeletons for 16 s before the error.
 */
export function createSupabase(
  url: string,
  anonKey: string,
  accessToken: () => Promise<string | null>,
  fetchImpl?: typeof fetch,
): Supabase {
  const client = createClient<Database>(url, anonKey, {
    accessToken,
    global: { fetch: reportingUnreachable(url, fetchImpl) },
  });
  // supabase-js 2.109 does not pass postgrest-js's `retry` option on; its PostgREST client
  // reads this field for every request. web/src/data/unreachable.test.tsx counts the
  // requests, so an upgrade that moves it fails there.
  (client as unknown as { rest: { retry?: boolean } }).rest.retry = false;
  return client;
}

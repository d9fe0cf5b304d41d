import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../_shared/database.types.ts";
import { DatabaseError } from "../_shared/errors.ts";

/**
 * The rate limit, kept by the database so it holds across every function instance:
 * claim_self_sync records the pull and answers 0, or answers the seconds until the user
 * may pull again.
 */
export function createPullClaim(service: SupabaseClient<Database>, intervalSeconds: number): (userId: string) => Promise<number> {
  return async (userId) => {
    const { data, error } = await service.rpc("claim_self_sync", { p_clerk_id: userId, p_interval_seconds: intervalSeconds });
    if (error) throw new DatabaseError(error.message, error.code);
    if (typeof data !== "number") throw new DatabaseError("claim_self_sync returned no number");
    return data;
  };
}

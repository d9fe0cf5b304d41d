import { FunctionsHttpError } from "@supabase/supabase-js";
import type { Supabase } from "../supabase.ts";
import type { SelfSyncAnswer, SelfSyncFailure } from "./types.ts";

/** A pull that did not run, with when to try again if the function said. */
export class SelfSyncError extends Error {
  override name = "SelfSyncError";
  constructor(
    readonly failure: SelfSyncFailure,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/**
 * Asks clerk-sync-self to pull the signed-in user from Clerk now, with their session
 * token (supabase-js sends it). No body: the function syncs the token's own user.
 */
export async function syncMyUser(client: Supabase): Promise<SelfSyncAnswer> {
  const { data, error } = await client.functions.invoke<SelfSyncAnswer>("clerk-sync-self", { method: "POST" });
  if (error) {
    if (!(error instanceof FunctionsHttpError)) {
      throw new SelfSyncError("unreachable", "The sync service could not be reached. Check your connection and try again.");
    }
    const response = error.context as Response;
    const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
    const message = typeof body?.error === "string" ? body.error : `The sync was refused (HTTP ${response.status}).`;
    // Retry-After in seconds; the function exposes it to the dashboard's origin (CORS).
    const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
    if (response.status === 429) throw new SelfSyncError("rate_limited", message, wait);
    if (response.status === 503) throw new SelfSyncError("clerk_unavailable", message, wait);
    throw new SelfSyncError("refused", message);
  }
  if (!data) throw new SelfSyncError("refused", "The sync service answered nothing.");
  return data;
}

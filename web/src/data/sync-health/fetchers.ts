import { FunctionsHttpError } from "@supabase/supabase-js";
import type { Supabase } from "../supabase.ts";
import { unreachableText } from "../unreachable.ts";
import type { HealthSettings, ReplayAnswer, SyncHealthReport } from "./types.ts";

/** sync_health_report refuses everyone but admins with SQLSTATE 42501. */
export function isAdminsOnlyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "42501";
}

export async function fetchSyncHealthReport(client: Supabase, settings: HealthSettings): Promise<SyncHealthReport> {
  const { data, error } = await client.rpc("sync_health_report", {
    window_minutes: settings.windowMinutes,
    stale_after_seconds: settings.staleAfterSeconds,
  });
  if (error) throw error;
  return data as unknown as SyncHealthReport;
}

/** A refusal of the clerk-sync-admin function, with its status and its words. */
export class ReplayError extends Error {
  override name = "ReplayError";
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asks the clerk-sync-admin function to re-apply one failed event, with the signed-in
 * admin's session token (supabase-js sends it). Throws ReplayError with the function's
 * message when it refuses.
 */
export async function replayFailedEvent(client: Supabase, svixId: string): Promise<ReplayAnswer> {
  const { data, error } = await client.functions.invoke<ReplayAnswer>("clerk-sync-admin/replay", { body: { svix_id: svixId } });
  if (error) {
    if (error instanceof FunctionsHttpError) {
      const response = error.context as Response;
      const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
      throw new ReplayError(response.status, typeof body?.error === "string" ? body.error : `The replay was refused (HTTP ${response.status}).`);
    }
    throw new ReplayError(null, unreachableText(error.context) ?? "The replay service could not be reached. Check your connection and try again.");
  }
  if (!data) throw new ReplayError(null, "The replay service answered nothing.");
  return data;
}

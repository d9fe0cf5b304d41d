import { FunctionsHttpError } from "@supabase/supabase-js";
import type { Supabase } from "../supabase.ts";
import { unreachableText } from "../unreachable.ts";
import type { DiscardAnswer, HealthSettings, ReplayAnswer, SyncHealthReport } from "./types.ts";

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

/** A refusal of the clerk-sync-admin function (a replay or a discard), with its status and its words. */
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
export function replayFailedEvent(client: Supabase, svixId: string): Promise<ReplayAnswer> {
  return askSyncAdmin<ReplayAnswer>(client, "replay", { svix_id: svixId }, "replay");
}

/** Asks clerk-sync-admin to discard one failed event for good; the function records the admin. */
export function discardFailedEvent(client: Supabase, svixId: string): Promise<DiscardAnswer> {
  return askSyncAdmin<DiscardAnswer>(client, "discard", { svix_id: svixId }, "discard");
}

async function askSyncAdmin<T>(client: Supabase, route: "replay" | "discard", body: Record<string, string>, action: string): Promise<T> {
  const { data, error } = await client.functions.invoke<T>(`clerk-sync-admin/${route}`, { body });
  if (error) {
    if (error instanceof FunctionsHttpError) {
      const response = error.context as Response;
      const answer = (await response.json().catch(() => null)) as { error?: unknown } | null;
      throw new ReplayError(response.status, typeof answer?.error === "string" ? answer.error : `The ${action} was refused (HTTP ${response.status}).`);
    }
    throw new ReplayError(null, unreachableText(error.context) ?? `The ${action} service could not be reached. Check your connection and try again.`);
  }
  if (!data) throw new ReplayError(null, `The ${action} service answered nothing.`);
  return data;
}

import { queryOptions } from "@tanstack/react-query";
import type { Supabase } from "../supabase.ts";
import { fetchSyncHealthReport, isAdminsOnlyError } from "./fetchers.ts";
import { syncHealthKeys } from "./keys.ts";
import type { HealthSettings } from "./types.ts";

/** How often an open health page looks again: a stall must show without a reload. */
export const healthRefreshMs = 30_000;

export function syncHealthReportQueryOptions(client: Supabase, viewerId: string, settings: HealthSettings, refreshMs = healthRefreshMs) {
  return queryOptions({
    queryKey: syncHealthKeys.report(viewerId, settings),
    queryFn: () => fetchSyncHealthReport(client, settings),
    // A non-admin stays one; asking again every 30 s would only repeat the refusal.
    refetchInterval: (query) => (isAdminsOnlyError(query.state.error) ? false : refreshMs),
  });
}

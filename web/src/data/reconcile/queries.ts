import { queryOptions } from "@tanstack/react-query";
import { isAdminsOnlyError } from "../sync-health/fetchers.ts";
import { healthRefreshMs } from "../sync-health/queries.ts";
import type { Supabase } from "../supabase.ts";
import { fetchReconcileReport } from "./fetchers.ts";
import { reconcileKeys } from "./keys.ts";

export function reconcileReportQueryOptions(client: Supabase, viewerId: string, refreshMs = healthRefreshMs) {
  return queryOptions({
    queryKey: reconcileKeys.report(viewerId),
    queryFn: () => fetchReconcileReport(client),
    refetchInterval: (query) => (isAdminsOnlyError(query.state.error) ? false : refreshMs),
  });
}

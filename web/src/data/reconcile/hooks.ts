import { useQuery } from "@tanstack/react-query";
import { useSupabase } from "../SupabaseProvider.tsx";
import { reconcileReportQueryOptions } from "./queries.ts";

export function useReconcileReportQuery(viewerId: string, options: { refreshMs?: number } = {}) {
  const client = useSupabase();
  return useQuery(reconcileReportQueryOptions(client, viewerId, options.refreshMs));
}

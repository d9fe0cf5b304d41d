import type { Supabase } from "../supabase.ts";
import type { ReconcileReport } from "./types.ts";

/**
 * The scheduled reconcile's last step, cursors, lease and alarm; null when the database
 * has no sync_reconcile_report (an older schema: the reconcile is not set up there).
 */
export async function fetchReconcileReport(client: Supabase): Promise<ReconcileReport | null> {
  const { data, error, status } = await client.rpc("sync_reconcile_report");
  if (status === 404) return null;
  if (error) throw error;
  return data as unknown as ReconcileReport;
}

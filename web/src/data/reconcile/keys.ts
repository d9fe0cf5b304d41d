/** The reconcile report is for admins: keyed by who asked, under the health page's keys so a replay refreshes it too. */
export const reconcileKeys = {
  all: ["sync-health", "reconcile"] as const,
  report: (viewerId: string) => [...reconcileKeys.all, viewerId] as const,
};

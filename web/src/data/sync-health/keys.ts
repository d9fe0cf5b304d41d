import type { HealthSettings } from "./types.ts";

/** The report is for admins: keyed by who asked, so it is forgotten when someone else signs in. */
export const syncHealthKeys = {
  all: ["sync-health"] as const,
  viewer: (viewerId: string) => [...syncHealthKeys.all, viewerId] as const,
  report: (viewerId: string, settings: HealthSettings) => [...syncHealthKeys.viewer(viewerId), "report", settings] as const,
};

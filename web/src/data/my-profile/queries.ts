import { queryOptions } from "@tanstack/react-query";
import type { Supabase } from "../supabase.ts";
import { fetchMyProfile } from "./fetchers.ts";
import { myProfileKeys } from "./keys.ts";

/** How often to look again while the row has not arrived from Clerk yet. */
export const waitingForSyncPollMs = 2_000;

export function myProfileQueryOptions(client: Supabase, userId: string, pollMs = waitingForSyncPollMs) {
  return queryOptions({
    queryKey: myProfileKeys.detail(userId),
    queryFn: () => fetchMyProfile(client, userId),
    // Signed in but not synced yet: poll until the webhook has written the row.
    refetchInterval: (query) => (query.state.data === null ? pollMs : false),
  });
}

import { keepPreviousData, type UseMutationOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { organizationKeys } from "../organizations/keys.ts";
import { profileKeys } from "../profiles/keys.ts";
import { useSupabase } from "../SupabaseProvider.tsx";
import { discardFailedEvent, replayFailedEvent } from "./fetchers.ts";
import { syncHealthKeys } from "./keys.ts";
import { syncHealthReportQueryOptions } from "./queries.ts";
import type { DiscardAnswer, HealthSettings, ReplayAnswer } from "./types.ts";

/** The report for these settings; while new settings load, the previous report stays on screen. */
export function useSyncHealthReportQuery(viewerId: string, settings: HealthSettings, options: { refreshMs?: number } = {}) {
  const client = useSupabase();
  return useQuery({ ...syncHealthReportQueryOptions(client, viewerId, settings, options.refreshMs), placeholderData: keepPreviousData });
}

type CallerCallbacks = Pick<UseMutationOptions<ReplayAnswer, Error, string>, "onSuccess" | "onError" | "onSettled">;

/**
 * Replays one failed event (by message id) through clerk-sync-admin. Afterwards the
 * report is fetched again, and so is anything the replayed event may have changed
 * (profiles, organizations). The caller's callbacks run after these.
 */
export function useReplayEventMutation(callbacks: CallerCallbacks = {}) {
  const client = useSupabase();
  const queryClient = useQueryClient();
  return useMutation<ReplayAnswer, Error, string>({
    mutationFn: (svixId) => replayFailedEvent(client, svixId),
    onSuccess: (answer, svixId, result, context) => callbacks.onSuccess?.(answer, svixId, result, context),
    onError: (error, svixId, result, context) => callbacks.onError?.(error, svixId, result, context),
    onSettled: async (answer, error, svixId, result, context) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: syncHealthKeys.all }),
        queryClient.invalidateQueries({ queryKey: profileKeys.all }),
        queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
      ]);
      return callbacks.onSettled?.(answer, error, svixId, result, context);
    },
  });
}

type DiscardCallbacks = Pick<UseMutationOptions<DiscardAnswer, Error, string>, "onSuccess" | "onError" | "onSettled">;

/** Discards one failed event (by message id) through clerk-sync-admin; the report is fetched again after. */
export function useDiscardEventMutation(callbacks: DiscardCallbacks = {}) {
  const client = useSupabase();
  const queryClient = useQueryClient();
  return useMutation<DiscardAnswer, Error, string>({
    mutationFn: (svixId) => discardFailedEvent(client, svixId),
    onSuccess: (answer, svixId, result, context) => callbacks.onSuccess?.(answer, svixId, result, context),
    onError: (error, svixId, result, context) => callbacks.onError?.(error, svixId, result, context),
    onSettled: async (answer, error, svixId, result, context) => {
      await queryClient.invalidateQueries({ queryKey: syncHealthKeys.all });
      return callbacks.onSettled?.(answer, error, svixId, result, context);
    },
  });
}

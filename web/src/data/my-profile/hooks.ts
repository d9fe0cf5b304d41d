import { type UseMutationOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { profileKeys } from "../profiles/keys.ts";
import { useSupabase } from "../SupabaseProvider.tsx";
import { updateMyProfile } from "./fetchers.ts";
import { myProfileKeys } from "./keys.ts";
import { myProfileQueryOptions } from "./queries.ts";
import type { MyProfile, ProfilePatch } from "./types.ts";

export function useMyProfileQuery(userId: string, options: { pollMs?: number } = {}) {
  const client = useSupabase();
  return useQuery(myProfileQueryOptions(client, userId, options.pollMs));
}

/** What the optimistic update replaced, to put back on error. */
export interface MyProfileSnapshot {
  previous: MyProfile | null | undefined;
}

type CallerCallbacks = Pick<
  UseMutationOptions<MyProfile, Error, ProfilePatch, MyProfileSnapshot>,
  "onSuccess" | "onError" | "onSettled"
>;

/**
 * Saves the user's own fields optimistically: the cached row shows the change at once,
 * goes back to what it was if the write fails, and is replaced by the stored row when
 * it succeeds. Public views of the profile (feed, profile page) are refetched after.
 * The caller's callbacks run after these.
 */
export function useUpdateMyProfileMutation(userId: string, callbacks: CallerCallbacks = {}) {
  const client = useSupabase();
  const queryClient = useQueryClient();
  const key = myProfileKeys.detail(userId);
  return useMutation<MyProfile, Error, ProfilePatch, MyProfileSnapshot>({
    mutationFn: (patch) => updateMyProfile(client, userId, patch),
    onMutate: async (patch) => {
      // A refetch landing now would overwrite the optimistic row with the old one.
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<MyProfile | null>(key);
      if (previous) queryClient.setQueryData<MyProfile | null>(key, { ...previous, ...patch });
      return { previous };
    },
    onError: (error, patch, snapshot, context) => {
      if (snapshot?.previous !== undefined) queryClient.setQueryData(key, snapshot.previous);
      return callbacks.onError?.(error, patch, snapshot, context);
    },
    onSuccess: (profile, patch, snapshot, context) => {
      queryClient.setQueryData(key, profile);
      return callbacks.onSuccess?.(profile, patch, snapshot, context);
    },
    onSettled: async (profile, error, patch, snapshot, context) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: key }),
        queryClient.invalidateQueries({ queryKey: profileKeys.all }),
      ]);
      return callbacks.onSettled?.(profile, error, patch, snapshot, context);
    },
  });
}

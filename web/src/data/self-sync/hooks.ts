import { type UseMutationOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { myProfileKeys } from "../my-profile/keys.ts";
import { organizationKeys } from "../organizations/keys.ts";
import { profileKeys } from "../profiles/keys.ts";
import { useSupabase } from "../SupabaseProvider.tsx";
import { syncMyUser } from "./fetchers.ts";
import type { SelfSyncAnswer } from "./types.ts";

type CallerCallbacks = Pick<UseMutationOptions<SelfSyncAnswer, Error, void>, "onSuccess" | "onError" | "onSettled">;

/**
 * Pulls the signed-in user from Clerk through clerk-sync-self. After a pull that ran,
 * their row, their organizations and the public views of them are fetched again, and
 * the mutation settles only then, so the page shows the new row as it ends. The
 * caller's callbacks run after these (a `deleted` answer is theirs to act on).
 */
export function useSyncMyUserMutation(userId: string, callbacks: CallerCallbacks = {}) {
  const client = useSupabase();
  const queryClient = useQueryClient();
  return useMutation<SelfSyncAnswer, Error, void>({
    mutationFn: async () => {
      const answer = await syncMyUser(client);
      if (answer.result === "synced") {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: myProfileKeys.detail(userId) }),
          queryClient.invalidateQueries({ queryKey: organizationKeys.viewer(userId) }),
          queryClient.invalidateQueries({ queryKey: profileKeys.all }),
        ]);
      }
      return answer;
    },
    onSuccess: (answer, variables, result, context) => callbacks.onSuccess?.(answer, variables, result, context),
    onError: (error, variables, result, context) => callbacks.onError?.(error, variables, result, context),
    onSettled: (answer, error, variables, result, context) => callbacks.onSettled?.(answer, error, variables, result, context),
  });
}

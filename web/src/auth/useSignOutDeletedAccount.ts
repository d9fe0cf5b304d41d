import { useCallback } from "react";
import { useNavigate } from "react-router";
import { useAuth } from "./auth.ts";

/** The sign-in page's note for a user whose account Clerk no longer has. */
export const accountDeletedNotice = "account-deleted";

/**
 * Ends the session of a user Clerk says is gone (a pull answered `deleted`), and takes
 * them to the sign-in page, which says why. A token can outlive its user by a minute;
 * nothing should go on looking signed in.
 */
export function useSignOutDeletedAccount(): () => Promise<void> {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  return useCallback(async () => {
    await signOut();
    navigate("/sign-in", { replace: true, state: { notice: accountDeletedNotice } });
  }, [signOut, navigate]);
}

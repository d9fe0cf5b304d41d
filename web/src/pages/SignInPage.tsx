import { useLocation } from "react-router";
import { useAuth } from "../auth/auth.ts";
import { accountDeletedNotice } from "../auth/useSignOutDeletedAccount.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import "./SignInPage.css";

/** /sign-in: whatever the auth provider signs people in with. */
export function SignInPage() {
  const { SignInPanel } = useAuth();
  const notice = (useLocation().state as { notice?: unknown } | null)?.notice;
  useDocumentTitle("Sign in");
  return (
    <>
      {notice === accountDeletedNotice ? (
        <div className="sign-in-notice" role="alert">
          <strong>You have been signed out.</strong> Your account no longer exists in Clerk, so this dashboard has removed your
          profile. If that is a mistake, ask the app's administrators; to start again, sign up anew.
        </div>
      ) : null}
      <SignInPanel />
    </>
  );
}

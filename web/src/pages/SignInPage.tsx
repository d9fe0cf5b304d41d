import { useAuth } from "../auth/auth.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";

/** /sign-in: whatever the auth provider signs people in with. */
export function SignInPage() {
  const { SignInPanel } = useAuth();
  useDocumentTitle("Sign in");
  return <SignInPanel />;
}

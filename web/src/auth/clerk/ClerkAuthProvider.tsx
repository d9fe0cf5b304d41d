import { ClerkProvider, SignIn, SignInButton, UserButton, useAuth as useClerkAuth, useSession } from "@clerk/react";
import { type ReactNode, useCallback, useMemo, useRef } from "react";
import { useNavigate } from "react-router";
import { type Auth, AuthContext } from "../auth.ts";
import "./ClerkAuthProvider.css";

/** Sign-in through Clerk. Loaded only when VITE_CLERK_PUBLISHABLE_KEY is set. */
export default function ClerkAuthProvider({ publishableKey, children }: { publishableKey: string; children: ReactNode }) {
  const navigate = useNavigate();
  return (
    <ClerkProvider
      publishableKey={publishableKey}
      routerPush={(to) => navigate(to)}
      routerReplace={(to) => navigate(to, { replace: true })}
      signInUrl="/sign-in"
      afterSignOutUrl="/"
    >
      <ClerkAuth>{children}</ClerkAuth>
    </ClerkProvider>
  );
}

function ClerkAuth({ children }: { children: ReactNode }) {
  const { isLoaded, userId, signOut, sessionClaims } = useClerkAuth();
  const isAdmin = isSyncAdmin(sessionClaims);
  const { session } = useSession();
  const sessionRef = useRef(session);
  sessionRef.current = session;
  // Supabase's third-party auth: the Clerk session token is the Supabase access token.
  // getToken() serves Clerk's cached token and refreshes it before it expires.
  const getToken = useCallback(async () => (await sessionRef.current?.getToken()) ?? null, []);
  const auth = useMemo<Auth>(
    () => ({
      mode: "clerk",
      isLoaded,
      userId: userId ?? null,
      isAdmin,
      getToken,
      signOut: () => signOut(),
      AccountControl: ClerkAccountControl,
      SignInPanel: ClerkSignInPanel,
    }),
    [isLoaded, userId, isAdmin, getToken, signOut],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

/** metadata.role = "admin": put there by the session token template {"metadata": "{{user.public_metadata}}"}. */
function isSyncAdmin(claims: unknown): boolean {
  const metadata = typeof claims === "object" && claims !== null ? (claims as { metadata?: unknown }).metadata : null;
  return typeof metadata === "object" && metadata !== null && (metadata as { role?: unknown }).role === "admin";
}

function ClerkAccountControl() {
  const { isLoaded, isSignedIn } = useClerkAuth();
  if (!isLoaded) return null;
  return isSignedIn ? (
    <UserButton />
  ) : (
    <SignInButton mode="modal">
      <button type="button" className="button button--primary">Sign in</button>
    </SignInButton>
  );
}

function ClerkSignInPanel() {
  return (
    <div className="sign-in-clerk">
      <SignIn routing="hash" fallbackRedirectUrl="/me" />
    </div>
  );
}

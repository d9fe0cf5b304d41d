import { lazy, type ReactNode, Suspense } from "react";
import { PageSpinner } from "../components/States.tsx";

// Both providers load on demand, so a build carries only the one it uses. The test is
// on import.meta.env.VITE_CLERK_PUBLISHABLE_KEY itself, which Vite replaces with a
// literal at build time: with a Clerk key, the local branch is dead code and its chunk
// (the dev "sign in as" picker and the /dev/token client) is never emitted.
// tests/e2e/clerk-build.test.ts checks the bundle.
const ClerkAuthProvider = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY
  ? lazy(() => import("./clerk/ClerkAuthProvider.tsx"))
  : null;
const LocalAuthProvider = import.meta.env.VITE_CLERK_PUBLISHABLE_KEY
  ? null
  : lazy(() => import("./local/LocalAuthProvider.tsx"));

export interface AuthProviderProps {
  supabaseUrl: string;
  supabaseAnonKey: string;
  clerkPublishableKey: string | null;
  children: ReactNode;
}

/** Clerk when a publishable key is configured, the local stack's dev sign-in otherwise. */
export function AuthProvider({ supabaseUrl, supabaseAnonKey, clerkPublishableKey, children }: AuthProviderProps) {
  return (
    <Suspense fallback={<PageSpinner label="Loading sign-in" />}>
      {ClerkAuthProvider && clerkPublishableKey ? (
        <ClerkAuthProvider publishableKey={clerkPublishableKey}>{children}</ClerkAuthProvider>
      ) : LocalAuthProvider ? (
        <LocalAuthProvider supabaseUrl={supabaseUrl} supabaseAnonKey={supabaseAnonKey}>
          {children}
        </LocalAuthProvider>
      ) : null}
    </Suspense>
  );
}

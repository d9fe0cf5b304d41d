import { type ComponentType, createContext, useContext } from "react";

/**
 * The one small interface between the dashboard and whoever signs people in: Clerk in
 * production, the local stack's dev token issuer in development. Nothing outside
 * web/src/auth knows which one is behind it.
 */
export interface Auth {
  mode: "clerk" | "local";
  /** False until the provider knows whether someone is signed in. */
  isLoaded: boolean;
  /** The signed-in Clerk user id (the token's `sub`), or null. */
  userId: string | null;
  /**
   * The session token carries the sync admins' claim, metadata.role = "admin" (Clerk's
   * session token template {"metadata": "{{user.public_metadata}}"}). For showing admin
   * links only: the database decides what an admin may do.
   */
  isAdmin: boolean;
  /** A session token for Supabase (role "authenticated", sub = userId), or null when signed out. */
  getToken: () => Promise<string | null>;
  signOut: () => Promise<void>;
  /** The header's control: a sign-in button, or the signed-in user's menu. */
  AccountControl: ComponentType;
  /** The body of the /sign-in page. */
  SignInPanel: ComponentType;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth() needs an auth provider above it (see web/src/auth/AuthProvider.tsx).");
  return auth;
}

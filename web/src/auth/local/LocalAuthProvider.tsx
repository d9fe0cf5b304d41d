import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { type Auth, AuthContext } from "../auth.ts";
import { devTokenSource, requestTemplatedToken, tokenClaims } from "./devTokens.ts";
import { LocalAccountControl } from "./LocalAccountControl.tsx";
import { LocalSignInPanel } from "./LocalSignInPanel.tsx";

const storageKey = "clerk-supabase-sync.local-user";

interface LocalSession {
  supabaseUrl: string;
  userId: string | null;
  signInAs: (userId: string) => void;
  signOut: () => void;
}

const LocalSessionContext = createContext<LocalSession | null>(null);

export function useLocalSession(): LocalSession {
  const session = useContext(LocalSessionContext);
  if (!session) throw new Error("useLocalSession() needs the LocalAuthProvider above it.");
  return session;
}

/**
 * Local development only: "sign in as" any synced user, with tokens from the local
 * stack's /dev/token. Remembered in localStorage so a reload stays signed in, and every
 * tab follows a sign-in or sign-out made in another. Loaded
 * only when no Clerk key is configured (see ../AuthProvider.tsx). Tokens carry the
 * user's public metadata as Clerk's session token template would, so users whose
 * public_metadata has "role": "admin" are sync admins.
 */
export default function LocalAuthProvider({ supabaseUrl, supabaseAnonKey, children }: { supabaseUrl: string; supabaseAnonKey: string; children: ReactNode }) {
  const [userId, setUserId] = useState<string | null>(() => readStoredUser());
  const [adminOf, setAdminOf] = useState<string | null>(null);

  const tokens = useMemo(
    () => (userId ? devTokenSource(() => requestTemplatedToken(supabaseUrl, supabaseAnonKey, userId)) : null),
    [supabaseUrl, supabaseAnonKey, userId],
  );
  const getToken = useCallback(async () => (tokens ? await tokens() : null), [tokens]);
  // Whether to show admin links: read from the token the user will send.
  useEffect(() => {
    if (!tokens || !userId) return;
    let current = true;
    tokens().then(
      (token) => {
        const metadata = tokenClaims(token).metadata as { role?: unknown } | undefined;
        if (current) setAdminOf(metadata?.role === "admin" ? userId : null);
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, [tokens, userId]);
  const isAdmin = userId !== null && adminOf === userId;

  // Another tab signed out, or in as someone else: follow it, so no tab stays signed in
  // as a user the others have left.
  useEffect(() => {
    const follow = (event: StorageEvent) => {
      if (event.key === storageKey || event.key === null) setUserId(readStoredUser());
    };
    window.addEventListener("storage", follow);
    return () => window.removeEventListener("storage", follow);
  }, []);

  const signInAs = useCallback((id: string) => {
    localStorage.setItem(storageKey, id);
    setUserId(id);
  }, []);
  const signOut = useCallback(() => {
    localStorage.removeItem(storageKey);
    setUserId(null);
  }, []);

  const session = useMemo<LocalSession>(() => ({ supabaseUrl, userId, signInAs, signOut }), [supabaseUrl, userId, signInAs, signOut]);
  const auth = useMemo<Auth>(
    () => ({
      mode: "local",
      isLoaded: true,
      userId,
      isAdmin,
      getToken,
      signOut: async () => signOut(),
      AccountControl: LocalAccountControl,
      SignInPanel: LocalSignInPanel,
    }),
    [userId, isAdmin, getToken, signOut],
  );

  return (
    <LocalSessionContext.Provider value={session}>
      <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
    </LocalSessionContext.Provider>
  );
}

function readStoredUser(): string | null {
  try {
    return localStorage.getItem(storageKey) || null;
  } catch {
    return null;
  }
}

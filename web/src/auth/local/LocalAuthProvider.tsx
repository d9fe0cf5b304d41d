import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { type Auth, AuthContext } from "../auth.ts";
import { devTokenSource } from "./devTokens.ts";
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
 * stack's /dev/token. Remembered in localStorage so a reload stays signed in. Loaded
 * only when no Clerk key is configured (see ../AuthProvider.tsx).
 */
export default function LocalAuthProvider({ supabaseUrl, children }: { supabaseUrl: string; children: ReactNode }) {
  const [userId, setUserId] = useState<string | null>(() => readStoredUser());

  const tokens = useMemo(() => (userId ? devTokenSource(supabaseUrl, userId) : null), [supabaseUrl, userId]);
  const getToken = useCallback(async () => (tokens ? await tokens() : null), [tokens]);

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
      getToken,
      signOut: async () => signOut(),
      AccountControl: LocalAccountControl,
      SignInPanel: LocalSignInPanel,
    }),
    [userId, getToken, signOut],
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

import { createContext, type ReactNode, useContext, useRef, useState } from "react";
import { useAuth } from "../auth/auth.ts";
import { createSupabase, type Supabase } from "./supabase.ts";

const SupabaseContext = createContext<Supabase | null>(null);

/** One supabase-js client for the app, carrying whatever session the auth provider has. */
export function SupabaseProvider({ url, anonKey, children }: { url: string; anonKey: string; children: ReactNode }) {
  const { getToken } = useAuth();
  // The client outlives renders; it reads the current getToken through a ref so a
  // sign-in or sign-out never needs a new client.
  const tokenRef = useRef(getToken);
  tokenRef.current = getToken;
  const [client] = useState(() => createSupabase(url, anonKey, () => tokenRef.current()));
  return <SupabaseContext.Provider value={client}>{children}</SupabaseContext.Provider>;
}

/** For tests: a client built by the test. */
export function SupabaseClientProvider({ client, children }: { client: Supabase; children: ReactNode }) {
  return <SupabaseContext.Provider value={client}>{children}</SupabaseContext.Provider>;
}

export function useSupabase(): Supabase {
  const client = useContext(SupabaseContext);
  if (!client) throw new Error("useSupabase() needs a <SupabaseProvider> above it.");
  return client;
}

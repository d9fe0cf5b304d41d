import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { type Auth, AuthContext } from "../auth/auth.ts";
import { SupabaseClientProvider } from "../data/SupabaseProvider.tsx";
import { createSupabase } from "../data/supabase.ts";
import type { FakeApi } from "./fakeApi.ts";

/** A fresh QueryClient per test, with no retries, so an error shows at once. */
export function testQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
}

export function fakeAuth(userId: string | null, isAdmin = false): Auth {
  return {
    mode: "local",
    isLoaded: true,
    userId,
    isAdmin,
    getToken: async () => (userId ? `token-for-${userId}` : null),
    signOut: async () => {},
    AccountControl: () => null,
    SignInPanel: () => null,
  };
}

/**
 * Renders `ui` at `route` (matched by `path`) with everything a page needs: a router,
 * an auth, a supabase-js client talking to the fake API, and a fresh QueryClient.
 */
export function renderPage(
  ui: ReactElement,
  { api, userId = null, admin = false, route = "/", path = "*", auth = {} }: { api: FakeApi; userId?: string | null; admin?: boolean; route?: string; path?: string; auth?: Partial<Auth> },
) {
  const queryClient = testQueryClient();
  const client = createSupabase("http://api.test", "anon-key", async () => (userId ? `token-for-${userId}` : null), api.fetch);
  const result = render(
    <MemoryRouter initialEntries={[route]}>
      <AuthContext.Provider value={{ ...fakeAuth(userId, admin), ...auth }}>
        <SupabaseClientProvider client={client}>
          <QueryClientProvider client={queryClient}>
            <Routes>
              <Route path={path} element={ui} />
            </Routes>
          </QueryClientProvider>
        </SupabaseClientProvider>
      </AuthContext.Provider>
    </MemoryRouter>,
  );
  return { ...result, queryClient };
}

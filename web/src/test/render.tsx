import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, Outlet, type RouteObject, RouterProvider } from "react-router";
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

export interface RenderPageOptions {
  api: FakeApi;
  userId?: string | null;
  admin?: boolean;
  /** Where the page starts. */
  route?: string;
  /** The route pattern `ui` is mounted at. */
  path?: string;
  /** Other pages the test may navigate to. */
  otherRoutes?: RouteObject[];
  /** Instead of testQueryClient(). */
  queryClient?: QueryClient;
  /** The API the supabase-js client believes it talks to. */
  apiUrl?: string;
  /** Parts of the signed-in session to replace, e.g. a signOut that records its calls. */
  auth?: Partial<Auth>;
}

/**
 * Renders `ui` at `route` (matched by `path`) with everything a page needs: a data
 * router (as the app has), an auth, a supabase-js client talking to the fake API, and a
 * fresh QueryClient.
 */
export function renderPage(
  ui: ReactElement,
  { api, userId = null, admin = false, route = "/", path = "*", otherRoutes = [], queryClient = testQueryClient(), apiUrl = "http://api.test", auth = {} }: RenderPageOptions,
) {
  const client = createSupabase(apiUrl, "anon-key", async () => (userId ? `token-for-${userId}` : null), api.fetch);
  const router = createMemoryRouter(
    [
      {
        element: (
          <AuthContext.Provider value={{ ...fakeAuth(userId, admin), ...auth }}>
            <SupabaseClientProvider client={client}>
              <QueryClientProvider client={queryClient}>
                <Outlet />
              </QueryClientProvider>
            </SupabaseClientProvider>
          </AuthContext.Provider>
        ),
        children: [...otherRoutes, { path, element: ui }],
      },
    ],
    { initialEntries: [route] },
  );
  const result = render(<RouterProvider router={router} />);
  return { ...result, queryClient, router };
}

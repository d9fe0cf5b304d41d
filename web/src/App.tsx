import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { RouteObject } from "react-router";
import { useAuth } from "./auth/auth.ts";
import { Layout } from "./components/Layout.tsx";
import { myProfileKeys } from "./data/my-profile/index.ts";
import { organizationKeys } from "./data/organizations/index.ts";
import { syncHealthKeys } from "./data/sync-health/index.ts";
import { HealthPage } from "./pages/admin/HealthPage.tsx";
import { FeedPage } from "./pages/feed/FeedPage.tsx";
import { MePage } from "./pages/me/MePage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { OrganizationPage } from "./pages/orgs/OrganizationPage.tsx";
import { OrganizationsPage } from "./pages/orgs/OrganizationsPage.tsx";
import { ProfilePage } from "./pages/profile/ProfilePage.tsx";
import { SignInPage } from "./pages/SignInPage.tsx";

/** The pages, under App's layout. A data router, so a page can block leaving (My profile's unsaved edits). */
export const pageRoutes: RouteObject[] = [
  { index: true, element: <FeedPage /> },
  { path: "u/:clerkId", element: <ProfilePage /> },
  { path: "orgs", element: <OrganizationsPage /> },
  { path: "orgs/:organizationId", element: <OrganizationPage /> },
  { path: "me", element: <MePage /> },
  { path: "admin/health", element: <HealthPage /> },
  { path: "sign-in", element: <SignInPage /> },
  { path: "*", element: <NotFoundPage /> },
];

/** Header, navigation and the current page; under the auth, Supabase and query providers. */
export function App() {
  useForgetOtherUsersData();
  return <Layout />;
}

/**
 * After a sign-out or a switch of user, nothing only the previous user could see stays
 * in the cache: their row, member lists, their organizations, the admins' report.
 */
function useForgetOtherUsersData() {
  const { userId } = useAuth();
  const queryClient = useQueryClient();
  useEffect(() => {
    const viewerAt = (position: number) => (query: { queryKey: readonly unknown[] }) => query.queryKey[position] !== userId;
    queryClient.removeQueries({ queryKey: myProfileKeys.all, predicate: viewerAt(1) });
    queryClient.removeQueries({ queryKey: organizationKeys.viewers(), predicate: viewerAt(organizationKeys.viewers().length) });
    queryClient.removeQueries({ queryKey: syncHealthKeys.all, predicate: viewerAt(1) });
  }, [queryClient, userId]);
}

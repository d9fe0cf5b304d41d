import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Route, Routes } from "react-router";
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

export function App() {
  useForgetOtherUsersData();
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<FeedPage />} />
        <Route path="u/:clerkId" element={<ProfilePage />} />
        <Route path="orgs" element={<OrganizationsPage />} />
        <Route path="orgs/:organizationId" element={<OrganizationPage />} />
        <Route path="me" element={<MePage />} />
        <Route path="admin/health" element={<HealthPage />} />
        <Route path="sign-in" element={<SignInPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
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

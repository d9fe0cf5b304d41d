import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Route, Routes } from "react-router";
import { useAuth } from "./auth/auth.ts";
import { Layout } from "./components/Layout.tsx";
import { myProfileKeys } from "./data/my-profile/index.ts";
import { FeedPage } from "./pages/feed/FeedPage.tsx";
import { MePage } from "./pages/me/MePage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { ProfilePage } from "./pages/profile/ProfilePage.tsx";
import { SignInPage } from "./pages/SignInPage.tsx";

export function App() {
  useForgetOtherUsersData();
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<FeedPage />} />
        <Route path="u/:clerkId" element={<ProfilePage />} />
        <Route path="me" element={<MePage />} />
        <Route path="sign-in" element={<SignInPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** After a sign-out or a switch of user, no one else's private row stays in the cache. */
function useForgetOtherUsersData() {
  const { userId } = useAuth();
  const queryClient = useQueryClient();
  useEffect(() => {
    queryClient.removeQueries({ queryKey: myProfileKeys.all, predicate: (query) => query.queryKey[1] !== userId });
  }, [queryClient, userId]);
}

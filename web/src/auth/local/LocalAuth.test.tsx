import { QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { SupabaseProvider } from "../../data/SupabaseProvider.tsx";
import { SignInPage } from "../../pages/SignInPage.tsx";
import { type ApiReply, deferred, fakeApi } from "../../test/fakeApi.ts";
import { countries, publicProfile } from "../../test/fixtures.ts";
import { testQueryClient } from "../../test/render.tsx";
import { useAuth } from "../auth.ts";
import LocalAuthProvider from "./LocalAuthProvider.tsx";

const storageKey = "clerk-supabase-sync.local-user";
const ada = publicProfile();
const grace = publicProfile({ clerk_id: "user_2GraceHopper", first_name: "Grace", last_name: "Hopper", username: "grace", country: "SE" });

/** The local stack as the dev sign-in sees it: /dev/token, the row's metadata, profiles and the feed. */
function localStack(profileReply: () => ApiReply | Promise<ApiReply> = () => ({ body: [ada] })) {
  return fakeApi({
    // A token whose claims are {}: no admin metadata.
    "POST /dev/token": () => ({ body: { token: "eyJhbGciOiJub25lIn0.e30.sig", expires_at: Date.now() / 1000 + 3600 } }),
    "GET /profiles": () => ({ body: [] }),
    "GET /public_profiles": profileReply,
    "GET /rpc/profile_feed": () => ({ body: [ada, grace] }),
    "GET /countries": () => ({ body: countries }),
  });
}

function Header() {
  const { AccountControl } = useAuth();
  return (
    <header aria-label="Site">
      <AccountControl />
    </header>
  );
}

/** The local auth provider as the app mounts it: in a data router, above the Supabase client. */
function renderLocalAuth({ route = "/", signedInAs }: { route?: string; signedInAs?: string } = {}, api = localStack()) {
  if (signedInAs) localStorage.setItem(storageKey, signedInAs);
  vi.stubGlobal("fetch", api.fetch);
  const router = createMemoryRouter(
    [
      {
        element: (
          <LocalAuthProvider supabaseUrl="http://api.test" supabaseAnonKey="anon-key">
            <SupabaseProvider url="http://api.test" anonKey="anon-key">
              <QueryClientProvider client={testQueryClient()}>
                <Header />
                <Outlet />
              </QueryClientProvider>
            </SupabaseProvider>
          </LocalAuthProvider>
        ),
        children: [
          { path: "sign-in", element: <SignInPage /> },
          { path: "*", element: <p>Some page</p> },
        ],
      },
    ],
    { initialEntries: [route] },
  );
  render(<RouterProvider router={router} />);
  return { api, router };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the local sign-in", () => {
  it("shows a neutral placeholder in the header until the name loads, never the raw user id", async () => {
    const reply = deferred<ApiReply>();
    renderLocalAuth({ signedInAs: ada.clerk_id }, localStack(() => reply.promise));
    const header = screen.getByRole("banner", { name: "Site" });
    expect(within(header).getByRole("link", { name: "Signed in" })).toBeTruthy();
    expect(header.textContent).not.toContain(ada.clerk_id);

    await act(async () => reply.resolve({ body: [ada] }));
    expect(await within(header).findByText("Ada Lovelace")).toBeTruthy();
    expect(header.textContent).not.toContain(ada.clerk_id);
  });

  it("says 'Your account', not the id, for a user who has not synced yet", async () => {
    renderLocalAuth({ signedInAs: "user_2NotSyncedYet" }, localStack(() => ({ body: [] })));
    const header = screen.getByRole("banner", { name: "Site" });
    expect(await within(header).findByText("Your account")).toBeTruthy();
    expect(header.textContent).not.toContain("user_2NotSyncedYet");
  });

  it("says on the sign-in page who you are signed in as, by name", async () => {
    renderLocalAuth({ route: "/sign-in", signedInAs: ada.clerk_id });
    expect(await screen.findByText(/You are signed in as Ada Lovelace\./)).toBeTruthy();
    // The admin recipe is filled in with the signed-in user's own id.
    expect(screen.getByRole("note").textContent).toContain(`--user ${ada.clerk_id} --set public_metadata`);
  });

  it("shows each user's id in the picker, for the admin recipe and --user", async () => {
    renderLocalAuth({ route: "/sign-in" });
    const choice = await screen.findByRole("button", { name: /Sign in as Grace Hopper/ });
    expect(within(choice).getByText(grace.clerk_id).getAttribute("title")).toBe(grace.clerk_id);
    expect(screen.getByRole("note").textContent).toContain("--user user_… --set public_metadata");
  });

  it("returns to the page that asked for the sign-in", async () => {
    const { router } = renderLocalAuth({ route: `/sign-in?redirect_url=${encodeURIComponent("/orgs/org_2Analytical?tab=members")}` });
    await userEvent.click(await screen.findByRole("button", { name: /Sign in as Ada Lovelace/ }));
    expect(router.state.location.pathname).toBe("/orgs/org_2Analytical");
    expect(router.state.location.search).toBe("?tab=members");
    expect(localStorage.getItem(storageKey)).toBe(ada.clerk_id);
  });

  it("goes to My profile when no page asked, or when the page asked for is on another site", async () => {
    const { router } = renderLocalAuth({ route: `/sign-in?redirect_url=${encodeURIComponent("//evil.example/steal")}` });
    await userEvent.click(await screen.findByRole("button", { name: /Sign in as Ada Lovelace/ }));
    expect(router.state.location.pathname).toBe("/me");
  });

  it("signs this tab out when another tab signs out", async () => {
    renderLocalAuth({ signedInAs: ada.clerk_id });
    const header = screen.getByRole("banner", { name: "Site" });
    expect(await within(header).findByText("Ada Lovelace")).toBeTruthy();

    // What the browser tells this tab when another one removes the stored user.
    act(() => {
      localStorage.removeItem(storageKey);
      window.dispatchEvent(new StorageEvent("storage", { key: storageKey, oldValue: ada.clerk_id, newValue: null }));
    });

    const signIn = await within(header).findByRole("link", { name: "Sign in" });
    expect(signIn.getAttribute("href")).toBe("/sign-in?redirect_url=%2F");
    expect(within(header).queryByText("Ada Lovelace")).toBeNull();
  });
});

import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FeedPage } from "../pages/feed/FeedPage.tsx";
import { fakeApi } from "../test/fakeApi.ts";
import { countries, publicProfile } from "../test/fixtures.ts";
import { renderPage } from "../test/render.tsx";
import { createQueryClient } from "./queryClient.ts";

/** Every request fails as a browser's fetch does when nothing listens on the port. */
function apiThatIsDown() {
  const refuse = () => {
    throw new TypeError("Failed to fetch");
  };
  return fakeApi({ "GET /countries": refuse, "GET /rpc/profile_feed": refuse });
}

const feedRequests = (api: ReturnType<typeof fakeApi>) => api.requests.filter((r) => r.path === "/rpc/profile_feed").length;

describe("an API that cannot be reached", () => {
  it("is reported at once, with the dashboard's own query client: no retries, and on the local stack how to start it", async () => {
    const api = apiThatIsDown();
    renderPage(<FeedPage />, { api, apiUrl: "http://127.0.0.1:54321", queryClient: createQueryClient() });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The feed could not be loaded");
    expect(alert.textContent).toContain("The API at http://127.0.0.1:54321 cannot be reached.");
    expect(alert.textContent).toContain("npm run dev");
    expect(alert.textContent).toContain("npm run stack");
    expect(alert.textContent).not.toContain("TypeError");
    // Neither postgrest-js nor TanStack Query asked again before showing the error.
    expect(feedRequests(api)).toBe(1);
  });

  it("says to check the connection when the API is not on this machine", async () => {
    const api = apiThatIsDown();
    renderPage(<FeedPage />, { api, apiUrl: "https://project.supabase.example", queryClient: createQueryClient() });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The API at https://project.supabase.example cannot be reached. Check your connection");
    expect(alert.textContent).not.toContain("npm run");
  });

  it("is not confused with an HTTP error, which is still tried once more", async () => {
    let calls = 0;
    const api = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /rpc/profile_feed": () => (++calls === 1 ? { status: 500, body: { code: "XX000", message: "database is restarting" } } : { body: [publicProfile()] }),
    });
    renderPage(<FeedPage />, { api, apiUrl: "http://127.0.0.1:54321", queryClient: createQueryClient() });

    expect(await screen.findByRole("heading", { name: "Ada Lovelace" }, { timeout: 5_000 })).toBeTruthy();
    expect(feedRequests(api)).toBe(2);
  });
});

import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fakeApi.ts";
import { countries, publicProfile } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { ProfilePage } from "./ProfilePage.tsx";

function api(rows: unknown[]) {
  return fakeApi({
    "GET /countries": () => ({ body: countries }),
    "GET /public_profiles": () => ({ body: rows }),
  });
}

describe("ProfilePage", () => {
  it("shows a user's public fields", async () => {
    const fake = api([publicProfile({ birthday: "1990-05-17", country: "SE" })]);
    renderPage(<ProfilePage />, { api: fake, route: "/u/user_2AdaLovelace", path: "/u/:clerkId" });

    expect(await screen.findByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeTruthy();
    expect(screen.getByText("@ada")).toBeTruthy();
    expect(screen.getByText("Wrote the first program.")).toBeTruthy();
    expect(screen.getByText("17 May 1990")).toBeTruthy();
    expect(await screen.findByText("Sweden")).toBeTruthy();
    expect(fake.requests.find((r) => r.path === "/public_profiles")?.params.get("clerk_id")).toBe("eq.user_2AdaLovelace");
  });

  it("says clearly that an unknown or deleted user is not found", async () => {
    renderPage(<ProfilePage />, { api: api([]), route: "/u/user_2Gone", path: "/u/:clerkId" });
    const heading = await screen.findByRole("heading", { name: "Profile not found" });
    expect(within(heading.parentElement!).getByRole("link", { name: "Back to everyone" })).toBeTruthy();
  });
});

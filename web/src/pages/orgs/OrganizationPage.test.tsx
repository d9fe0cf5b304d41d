import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fakeApi.ts";
import { organizationMember, publicOrganization } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { OrganizationPage } from "./OrganizationPage.tsx";

const org = publicOrganization();
const ada = organizationMember();
const grace = organizationMember({ membership_id: "orgmem_2Grace", user_id: "user_2GraceHopper", role: "org:member", username: "grace", first_name: "Grace", last_name: "Hopper" });

/** The API as RLS answers it: members of org_2Analytical see both members; anyone else none. */
function api(organizations = [org]) {
  return fakeApi({
    "GET /public_organizations": ({ params }) => ({ body: organizations.filter((o) => `eq.${o.clerk_id}` === params.get("clerk_id")) }),
    "GET /organization_members": ({ headers }) => ({ body: headers.get("authorization") === `Bearer token-for-${ada.user_id}` ? [ada, grace] : [] }),
  });
}

const route = { route: `/orgs/${org.clerk_id}`, path: "/orgs/:organizationId" };

describe("OrganizationPage", () => {
  it("shows a member the organization and its members, with roles, and marks them", async () => {
    const fake = api();
    renderPage(<OrganizationPage />, { api: fake, userId: ada.user_id, ...route });
    expect(await screen.findByRole("heading", { level: 1, name: "Analytical Engines" })).toBeTruthy();
    const list = within(await screen.findByRole("list", { name: "Members of Analytical Engines" }));
    const rows = list.getAllByRole("listitem");
    expect(rows.map((row) => row.querySelector(".member__name")?.textContent)).toEqual(["Ada Lovelace", "Grace Hopper"]);
    expect(rows[0]!.textContent).toContain("(you)");
    expect(rows[0]!.textContent).toContain("Admin");
    expect(rows[1]!.textContent).toContain("@grace");
    expect(rows[1]!.textContent).toContain("Member");
    expect(list.getByRole("link", { name: "Grace Hopper" }).getAttribute("href")).toBe("/u/user_2GraceHopper");
    expect(screen.queryByText("Members are visible to members")).toBeNull();
    const membersRequest = fake.requests.find((r) => r.path === "/organization_members")!;
    expect(membersRequest.params.get("organization_id")).toBe(`eq.${org.clerk_id}`);
  });

  it("shows a signed-in non-member the public information and says members are visible to members", async () => {
    renderPage(<OrganizationPage />, { api: api(), userId: "user_2Stranger", ...route });
    expect(await screen.findByRole("heading", { level: 1, name: "Analytical Engines" })).toBeTruthy();
    expect(screen.getByText("2 members")).toBeTruthy();
    const note = await screen.findByRole("note");
    expect(note.textContent).toContain("Members are visible to members");
    expect(note.textContent).toContain("You are not a member of Analytical Engines");
    expect(screen.queryByRole("list")).toBeNull();
    expect(screen.queryByText("Grace Hopper")).toBeNull();
  });

  it("never asks for members for a visitor, and offers to sign in", async () => {
    const fake = api();
    renderPage(<OrganizationPage />, { api: fake, userId: null, ...route });
    const note = await screen.findByRole("note");
    expect(note.textContent).toContain("Members are visible to members");
    // …and to come back to this organization afterwards.
    expect(within(note).getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(`/sign-in?redirect_url=${encodeURIComponent(`/orgs/${org.clerk_id}`)}`);
    expect(fake.requests.some((r) => r.path === "/organization_members")).toBe(false);
  });

  it("says an organization without synced members has none yet", async () => {
    renderPage(<OrganizationPage />, { api: api([{ ...org, members_count: 0 }]), userId: "user_2Stranger", ...route });
    expect(await screen.findByText("No members have synced from Clerk yet.")).toBeTruthy();
  });

  it("says clearly that an unknown or deleted organization is not found", async () => {
    renderPage(<OrganizationPage />, { api: api([]), userId: ada.user_id, ...route });
    const heading = await screen.findByRole("heading", { name: "Organization not found" });
    expect(within(heading.parentElement!).getByRole("link", { name: "All organizations" }).getAttribute("href")).toBe("/orgs");
  });

  it("shows why the organization failed to load and tries again", async () => {
    let failing = true;
    const fake = api();
    fake.on("GET /public_organizations", () => (failing ? { status: 500, body: { message: "Could not connect to the database" } } : { body: [org] }));
    renderPage(<OrganizationPage />, { api: fake, userId: ada.user_id, ...route });
    expect((await screen.findByRole("alert")).textContent).toContain("Could not connect to the database");
    failing = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Analytical Engines" })).toBeTruthy();
  });

  it("shows why the members failed to load, under the organization, and tries again", async () => {
    let failing = true;
    const fake = api();
    fake.on("GET /organization_members", () => (failing ? { status: 500, body: { message: "statement timeout" } } : { body: [ada] }));
    renderPage(<OrganizationPage />, { api: fake, userId: ada.user_id, ...route });
    expect((await screen.findByRole("alert")).textContent).toContain("statement timeout");
    expect(screen.getByRole("heading", { level: 1, name: "Analytical Engines" })).toBeTruthy();
    failing = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("list", { name: "Members of Analytical Engines" })).toBeTruthy();
  });
});

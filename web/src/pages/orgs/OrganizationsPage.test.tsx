import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type ApiReply, deferred, fakeApi } from "../../test/fakeApi.ts";
import { publicOrganization } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { OrganizationsPage } from "./OrganizationsPage.tsx";

const analytical = publicOrganization();
const babbage = publicOrganization({ clerk_id: "org_2Babbage", name: "Difference Engines", slug: null, members_count: 1 });

describe("OrganizationsPage", () => {
  it("shows skeletons, then every organization's public information, linked to its page", async () => {
    const reply = deferred<ApiReply>();
    const fake = fakeApi({ "GET /public_organizations": () => reply.promise });
    renderPage(<OrganizationsPage />, { api: fake, route: "/orgs" });
    expect(screen.getByRole("status", { name: "Loading organizations" })).toBeTruthy();

    reply.resolve({ body: [analytical, babbage] });
    const cards = await screen.findAllByRole("article");
    expect(cards.map((card) => card.querySelector("h3")?.textContent)).toEqual(["Analytical Engines", "Difference Engines"]);
    expect(cards[0]!.textContent).toContain("analytical-engines");
    expect(cards[0]!.textContent).toContain("2 members");
    expect(cards[1]!.textContent).toContain("1 member");
    expect(screen.getByRole("link", { name: "Difference Engines" }).getAttribute("href")).toBe("/orgs/org_2Babbage");
    expect(screen.getByText("That’s every organization.")).toBeTruthy();
    const request = fake.requests[0]!;
    expect(request.params.get("select")).toBe("clerk_id,name,slug,image_url,created_at,members_count");
    expect(request.params.get("order")).toBe("name.asc.nullslast,clerk_id.asc");
  });

  it("searches by name, with % and _ taken literally, and the search in the URL", async () => {
    const fake = fakeApi({
      "GET /public_organizations": ({ params }) => ({ body: params.get("name") ? [babbage] : [analytical, babbage] }),
    });
    renderPage(<OrganizationsPage />, { api: fake, route: "/orgs" });
    await screen.findByText("Analytical Engines");
    await userEvent.type(screen.getByRole("searchbox", { name: "Search" }), "50%_off");
    await waitFor(() => expect(screen.queryByText("Analytical Engines")).toBeNull());
    expect(fake.requests.at(-1)!.params.get("name")).toBe("ilike.%50\\%\\_off%");
  });

  it("says when nothing matches, with a way to clear the search", async () => {
    const fake = fakeApi({ "GET /public_organizations": ({ params }) => ({ body: params.get("name") ? [] : [analytical] }) });
    renderPage(<OrganizationsPage />, { api: fake, route: "/orgs?q=zzz" });
    expect(await screen.findByRole("heading", { name: "No organization matches" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Clear search" }));
    expect(await screen.findByText("Analytical Engines")).toBeTruthy();
  });

  it("says when there are no organizations at all", async () => {
    renderPage(<OrganizationsPage />, { api: fakeApi({ "GET /public_organizations": () => ({ body: [] }) }), route: "/orgs" });
    expect(await screen.findByRole("heading", { name: "No organizations yet" })).toBeTruthy();
  });

  it("shows why it failed and tries again", async () => {
    let failing = true;
    const fake = fakeApi({
      "GET /public_organizations": () => (failing ? { status: 500, body: { message: "Could not connect to the database" } } : { body: [analytical] }),
    });
    renderPage(<OrganizationsPage />, { api: fake, route: "/orgs" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Organizations could not be loaded");
    expect(alert.textContent).toContain("Could not connect to the database");
    failing = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Analytical Engines")).toBeTruthy();
  });

  it("loads the next page on request", async () => {
    const many = Array.from({ length: 25 }, (_, i) => publicOrganization({ clerk_id: `org_${i}`, name: `Org ${String(i).padStart(2, "0")}` }));
    const fake = fakeApi({
      "GET /public_organizations": ({ params }) => {
        const offset = Number(params.get("offset") ?? 0);
        return { body: many.slice(offset, offset + Number(params.get("limit"))) };
      },
    });
    renderPage(<OrganizationsPage />, { api: fake, route: "/orgs" });
    expect(await screen.findByText("Showing 24+ organizations")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Org 24")).toBeTruthy();
    expect(screen.getByText("Showing 25 organizations")).toBeTruthy();
  });
});

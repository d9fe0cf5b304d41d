import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type PublicProfile, profileKeys } from "../../data/profiles/index.ts";
import { deferred, fakeApi, type ApiReply } from "../../test/fakeApi.ts";
import { countries, publicProfile } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { FeedPage } from "./FeedPage.tsx";

/** `count` profiles, newest first, one minute apart. */
function people(count: number, prefix = "Person"): PublicProfile[] {
  return Array.from({ length: count }, (_, i) =>
    publicProfile({
      clerk_id: `user_${prefix}${String(i).padStart(3, "0")}`,
      username: `${prefix.toLowerCase()}${i}`,
      first_name: prefix,
      last_name: String(i),
      created_at: new Date(Date.UTC(2026, 8, 1, 12, 0) - i * 60_000).toISOString(),
    }),
  );
}

function api(feed: (params: URLSearchParams) => ApiReply | Promise<ApiReply>) {
  return fakeApi({
    "GET /countries": () => ({ body: countries }),
    "GET /rpc/profile_feed": ({ params }) => feed(params),
  });
}

describe("FeedPage", () => {
  it("shows skeletons while the first page loads, then profiles newest first", async () => {
    const reply = deferred<ApiReply>();
    const fake = api(() => reply.promise);
    renderPage(<FeedPage />, { api: fake });

    expect(screen.getByRole("status", { name: "Loading profiles" })).toBeTruthy();
    reply.resolve({ body: [publicProfile(), publicProfile({ clerk_id: "user_2Grace", first_name: "Grace", last_name: "Hopper", username: "grace", country: "SE", bio: null })] });

    const cards = await screen.findAllByRole("article");
    expect(cards.map((card) => within(card).getByRole("heading").textContent)).toEqual(["Ada Lovelace", "Grace Hopper"]);
    expect(within(cards[0]).getByText("@ada")).toBeTruthy();
    expect(within(cards[0]).getByText("Wrote the first program.")).toBeTruthy();
    expect(await within(cards[1]).findByText("Sweden")).toBeTruthy();
    expect(within(cards[1]).getByText("No bio yet.")).toBeTruthy();
    expect(within(cards[0]).getByRole("link", { name: "Ada Lovelace" }).getAttribute("href")).toBe("/u/user_2AdaLovelace");
    // One row more than a page, to learn whether another page exists.
    expect(fake.requests.find((r) => r.path === "/rpc/profile_feed")?.params.get("page_size")).toBe("25");
  });

  it("says so when nobody has signed up yet", async () => {
    renderPage(<FeedPage />, { api: api(() => ({ body: [] })) });
    expect(await screen.findByRole("heading", { name: "No profiles yet" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Refresh" })).toBeTruthy();
  });

  it("shows an error with a retry, and the feed once the retry succeeds", async () => {
    let calls = 0;
    const fake = api(() => (++calls === 1 ? { status: 500, body: { code: "XX000", message: "database is restarting" } } : { body: [publicProfile()] }));
    renderPage(<FeedPage />, { api: fake });

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("The feed could not be loaded")).toBeTruthy();
    expect(within(alert).getByText("database is restarting")).toBeTruthy();
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("searches by name or username, and offers to clear a search that matches nobody", async () => {
    const fake = api((params) => {
      const search = params.get("search");
      if (search === "zzz") return { body: [] };
      if (search === "ada lo") return { body: [publicProfile()] };
      return { body: people(3) };
    });
    renderPage(<FeedPage />, { api: fake });
    await screen.findByRole("heading", { name: "Person 0" });

    await userEvent.type(screen.getByRole("searchbox", { name: "Search" }), "ada lo");
    expect(await screen.findByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("heading", { name: "Person 0" })).toBeNull());

    await userEvent.clear(screen.getByRole("searchbox", { name: "Search" }));
    await userEvent.type(screen.getByRole("searchbox", { name: "Search" }), "zzz");
    expect(await screen.findByRole("heading", { name: "Nobody matches" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Clear search and filters" }));
    expect(await screen.findByRole("heading", { name: "Person 0" })).toBeTruthy();
    expect((screen.getByRole("searchbox", { name: "Search" }) as HTMLInputElement).value).toBe("");
  });

  it("takes its search and country from the URL, so a search can be shared and reloaded", async () => {
    const fake = api((params) => ({ body: params.get("search") === "ada" && params.get("country") === "GB" ? [publicProfile()] : [] }));
    renderPage(<FeedPage />, { api: fake, route: "/?q=ada&country=GB" });

    expect(await screen.findByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
    expect((screen.getByRole("searchbox", { name: "Search" }) as HTMLInputElement).value).toBe("ada");
    expect(fake.requests.filter((r) => r.path === "/rpc/profile_feed")).toHaveLength(1);
  });

  it("filters by country", async () => {
    const fake = api((params) => ({ body: params.get("country") === "SE" ? [publicProfile({ first_name: "Greta", country: "SE" })] : people(2) }));
    renderPage(<FeedPage />, { api: fake });
    await screen.findByRole("heading", { name: "Person 0" });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Country" }), "SE");
    expect(await screen.findByRole("heading", { name: "Greta Lovelace" })).toBeTruthy();
  });

  it("loads the next page from the last profile shown (keyset), not from an offset", async () => {
    const all = people(30);
    const fake = api((params) => {
      const before = params.get("before_clerk_id");
      const start = before ? all.findIndex((p) => p.clerk_id === before) + 1 : 0;
      return { body: all.slice(start, start + Number(params.get("page_size"))) };
    });
    renderPage(<FeedPage />, { api: fake });

    expect(await screen.findAllByRole("article")).toHaveLength(24);
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));

    await waitFor(() => expect(screen.getAllByRole("article")).toHaveLength(30));
    expect(await screen.findByText("That’s everyone.")).toBeTruthy();
    const second = fake.requests.filter((r) => r.path === "/rpc/profile_feed")[1];
    expect(second.params.get("before_clerk_id")).toBe(all[23].clerk_id);
    expect(second.params.get("before_created_at")).toBe(all[23].created_at);
    expect(second.params.has("offset")).toBe(false);
  });

  it("shows the feed's total for the search applied, counted by profile_feed_count", async () => {
    const fake = api(() => ({ body: people(25) }));
    fake.on("GET /rpc/profile_feed_count", ({ params }) => ({ body: params.get("search") === "sparck" ? 1_234 : 48 }));
    renderPage(<FeedPage />, { api: fake, route: "/?q=sparck" });

    expect(await screen.findByText("Showing 24 of 1,234 profiles")).toBeTruthy();
    const request = fake.requests.find((r) => r.path === "/rpc/profile_feed_count")!;
    expect(request.params.get("search")).toBe("sparck");
    expect(request.params.get("up_to")).toBe("10000");
  });

  it("says 'more than 10,000' past the count's cap, and '24+' when the count fails", async () => {
    const fake = api(() => ({ body: people(25) }));
    fake.on("GET /rpc/profile_feed_count", () => ({ body: 10_001 }));
    renderPage(<FeedPage />, { api: fake });
    expect(await screen.findByText("Showing 24 of more than 10,000 profiles")).toBeTruthy();
    cleanup();

    const failing = api(() => ({ body: people(25) }));
    failing.on("GET /rpc/profile_feed_count", () => ({ status: 500, body: { message: "statement timeout" } }));
    renderPage(<FeedPage />, { api: failing });
    expect(await screen.findByText("Showing 24+ profiles")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says just how many when every profile is on screen, whatever the count answered", async () => {
    const fake = api(() => ({ body: people(5) }));
    fake.on("GET /rpc/profile_feed_count", () => ({ body: 6 }));
    const { queryClient } = renderPage(<FeedPage />, { api: fake });
    await waitFor(() => expect(queryClient.getQueryData(profileKeys.feedCount({ search: "", country: null }))).toEqual({ count: 6, moreThan: false }));
    expect(await screen.findByText("Showing 5 profiles")).toBeTruthy();
  });
});

import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { MyProfile } from "../../data/my-profile/index.ts";
import { useLocation } from "react-router";
import { type ApiReply, deferred, type FakeApi, fakeApi } from "../../test/fakeApi.ts";
import { countries, myOrganization, myProfile } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { SignInPage } from "../SignInPage.tsx";
import { MePage } from "./MePage.tsx";

const ada = myProfile();
const selfSync = "POST /functions/v1/clerk-sync-self";
const pulls = (fake: FakeApi) => fake.requests.filter((r) => r.method === "POST" && r.path === "/functions/v1/clerk-sync-self").length;

/** My profile, and the sign-in page once it sends the user there. */
function MeThenSignIn() {
  return useLocation().pathname === "/sign-in" ? <SignInPage /> : <MePage />;
}

/**
 * The API as the signed-in Ada sees it: her row and the countries. A PATCH answers what
 * `save` says; a successful one (2xx) is stored, as the database would.
 */
function api(save: (patch: Partial<MyProfile>) => ApiReply | Promise<ApiReply> = (patch) => ({ body: [{ ...ada, ...patch }] })) {
  let row = ada;
  return fakeApi({
    "GET /countries": () => ({ body: countries }),
    "GET /profiles": () => ({ body: [row] }),
    "GET /my_organizations": () => ({ body: [] }),
    "PATCH /profiles": async ({ body }) => {
      const reply = await save(body as Partial<MyProfile>);
      if ((reply.status ?? 200) < 300) row = { ...row, ...(body as Partial<MyProfile>) };
      return reply;
    },
  });
}

/** /me, and a stand-in for the public page its "View my public page" link leads to. */
function renderMeWithAPublicPage() {
  return renderPage(<MePage />, { api: api(), userId: ada.clerk_id, route: "/me", otherRoutes: [{ path: "u/:clerkId", element: <h1>Public page</h1> }] });
}

/** Types a birthday ("YYYY-MM-DD") into its day, month and year. */
function setBirthday(iso: string) {
  const [year, month, day] = iso.split("-");
  const birthday = within(screen.getByRole("group", { name: "Birthday" }));
  fireEvent.change(birthday.getByLabelText("Day"), { target: { value: String(Number(day)) } });
  fireEvent.change(birthday.getByLabelText("Month"), { target: { value: month } });
  fireEvent.change(birthday.getByLabelText("Year"), { target: { value: year } });
}

function preview() {
  return within(screen.getByRole("region", { name: "How others see you" }));
}

describe("MePage", () => {
  it("shows Clerk's data read-only, marked as managed in Clerk", async () => {
    renderPage(<MePage />, { api: api(), userId: ada.clerk_id });
    const account = await screen.findByRole("region", { name: "Ada Lovelace" });
    expect(within(account).getByText("ada@example.com")).toBeTruthy();
    expect(within(account).getByText("Managed in Clerk")).toBeTruthy();
    expect(within(account).queryByRole("textbox")).toBeNull();
  });

  it("asks a signed-out visitor to sign in", async () => {
    renderPage(<MePage />, { api: api(), userId: null });
    expect(await screen.findByRole("heading", { name: "Sign in to see your profile" })).toBeTruthy();
    // …and to come back here afterwards.
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in?redirect_url=%2F");
  });

  it("rejects what the database would refuse, with an error on each field, and saves nothing", async () => {
    const fake = api();
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const bio = (await screen.findByLabelText("Bio")) as HTMLTextAreaElement;

    await userEvent.clear(bio);
    await userEvent.click(bio);
    await userEvent.paste("x".repeat(501));
    setBirthday("1899-12-31");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));

    expect(screen.getByText("Keep your bio to 500 characters or fewer (it has 501).")).toBeTruthy();
    expect(screen.getByText("Birthdays start on 1 January 1900.")).toBeTruthy();
    expect(bio.getAttribute("aria-invalid")).toBe("true");
    expect(bio.getAttribute("aria-describedby")).toContain(screen.getByText(/Keep your bio/).id);
    expect(document.activeElement).toBe(bio);

    setBirthday("2999-01-01");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.getByText("Your birthday can’t be in the future.")).toBeTruthy();

    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("counts a bio's characters as Postgres does, so 500 emoji are allowed", async () => {
    const fake = api();
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const bio = await screen.findByLabelText("Bio");
    await userEvent.clear(bio);
    await userEvent.click(bio);
    await userEvent.paste("🙂".repeat(500));
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it("shows a save at once, and keeps it when the server accepts it", async () => {
    const reply = deferred<ApiReply>();
    const fake = api(() => reply.promise);
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const bio = await screen.findByLabelText("Bio");

    await userEvent.clear(bio);
    await userEvent.type(bio, "Poet of science.");
    await userEvent.selectOptions(screen.getByLabelText("Country"), "SE");
    setBirthday("1990-05-17");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));

    // Optimistic: the preview shows the new values before the server has answered.
    expect(await preview().findByText("Poet of science.")).toBeTruthy();
    expect(preview().getByText("Sweden")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Saving…" })).toBeTruthy();
    const patch = fake.requests.find((r) => r.method === "PATCH")!;
    expect(patch.body).toEqual({ bio: "Poet of science.", birthday: "1990-05-17", birthday_public: false, country: "SE" });
    expect(patch.params.get("clerk_id")).toBe(`eq.${ada.clerk_id}`);

    reply.resolve({ body: [{ ...ada, bio: "Poet of science.", birthday: "1990-05-17", country: "SE" }] });
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(preview().getByText("Poet of science.")).toBeTruthy();
  });

  it("puts the previous values back when the save fails, and says why", async () => {
    const reply = deferred<ApiReply>();
    renderPage(<MePage />, { api: api(() => reply.promise), userId: ada.clerk_id });
    const bio = await screen.findByLabelText("Bio");

    await userEvent.clear(bio);
    await userEvent.type(bio, "Rolled back.");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await preview().findByText("Rolled back.")).toBeTruthy();

    reply.resolve({ status: 503, body: { code: "PGRST000", message: "Could not connect to the database" } });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Your changes were not saved.");
    expect(alert.textContent).toContain("Could not connect to the database");
    await waitFor(() => expect(preview().getByText("Wrote the first program.")).toBeTruthy());
    expect(preview().queryByText("Rolled back.")).toBeNull();
    // What the user typed stays in the form, to try again.
    expect((bio as HTMLTextAreaElement).value).toBe("Rolled back.");
  });

  it("takes the birthday as day, month in words and year, and says when one of them is missing", async () => {
    const fake = api();
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const birthday = within(await screen.findByRole("group", { name: "Birthday" }));
    expect((birthday.getByLabelText("Day") as HTMLInputElement).value).toBe("10");
    const month = birthday.getByLabelText("Month") as HTMLSelectElement;
    expect(month.selectedOptions[0]!.textContent).toBe("December");
    expect((birthday.getByLabelText("Year") as HTMLInputElement).value).toBe("1915");

    fireEvent.change(birthday.getByLabelText("Year"), { target: { value: "" } });
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.getByText("Enter a real date: a day, a month and a year, like 17 May 1990.")).toBeTruthy();
    expect(document.activeElement).toBe(birthday.getByLabelText("Day"));
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);

    // All three emptied: no birthday, which may be saved.
    fireEvent.change(birthday.getByLabelText("Day"), { target: { value: "" } });
    fireEvent.change(month, { target: { value: "" } });
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(fake.requests.find((r) => r.method === "PATCH")!.body).toMatchObject({ birthday: null });
  });

  it("sends nothing when no field has changed, and says so", async () => {
    const fake = api();
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const bio = await screen.findByLabelText("Bio");
    // Typed and put back as it was: still no change.
    await userEvent.type(bio, "!");
    await userEvent.type(bio, "{Backspace}");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText("Nothing to save: no field has changed.")).toBeTruthy();
    expect(screen.queryByText("Saved.")).toBeNull();
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("asks before leaving with unsaved edits, and stays or leaves as chosen", async () => {
    const { router } = renderMeWithAPublicPage();
    const bio = (await screen.findByLabelText("Bio")) as HTMLTextAreaElement;
    await userEvent.type(bio, " Also a poet.");

    // Closing or reloading the tab: the browser's own question.
    const unload = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(true);

    await userEvent.click(screen.getByRole("link", { name: "View my public page" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Leave without saving?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep editing" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(router.state.location.pathname).toBe("/me");
    expect(bio.value).toBe("Wrote the first program. Also a poet.");

    await userEvent.click(screen.getByRole("link", { name: "View my public page" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Leave without saving" }));
    expect(await screen.findByRole("heading", { name: "Public page" })).toBeTruthy();
    expect(router.state.location.pathname).toBe(`/u/${ada.clerk_id}`);
  });

  it("lets me leave without asking once my edits are saved", async () => {
    const { router } = renderMeWithAPublicPage();
    await userEvent.type(await screen.findByLabelText("Bio"), " Also a poet.");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();

    const unload = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(false);
    await userEvent.click(screen.getByRole("link", { name: "View my public page" }));
    expect(await screen.findByRole("heading", { name: "Public page" })).toBeTruthy();
    expect(router.state.location.pathname).toBe(`/u/${ada.clerk_id}`);
  });

  it("shows a public birthday in “How others see you”, and no birthday that is private", async () => {
    const fake = api();
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    await screen.findByLabelText("Bio");
    expect(preview().queryByText(/Birthday/)).toBeNull();

    await userEvent.click(screen.getByLabelText("Show my birthday on my public profile"));
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await preview().findByText("Birthday 10 December 1915")).toBeTruthy();
  });

  it("puts a refusal of the database on the field it is about", async () => {
    renderPage(<MePage />, {
      api: api(() => ({ status: 400, body: { code: "23514", message: 'new row for relation "profiles" violates check constraint "profiles_birthday_check"' } })),
      userId: ada.clerk_id,
    });
    const birthday = await screen.findByLabelText("Day");
    setBirthday("2000-01-01");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("The server did not accept this value.")).toBeTruthy();
    expect(birthday.getAttribute("aria-invalid")).toBe("true");
  });

  it("pulls a profile that has not synced yet at once, and shows it as soon as the pull answers", async () => {
    let synced = false;
    const pull = deferred<ApiReply>();
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: synced ? [ada] : [] }),
      "GET /my_organizations": () => ({ body: [] }),
      [selfSync]: () => pull.promise,
    });
    renderPage(<MePage pollMs={60_000} />, { api: fake, userId: ada.clerk_id });

    expect(await screen.findByRole("heading", { name: "Setting up your profile…" })).toBeTruthy();
    await waitFor(() => expect(pulls(fake)).toBe(1));
    synced = true;
    pull.resolve({ body: { result: "synced", user_id: ada.clerk_id, outcome: "applied", memberships: 0 } });
    expect(await screen.findByLabelText("Bio")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Setting up your profile…" })).toBeNull();
    expect(pulls(fake), "one pull, no waiting on a webhook").toBe(1);
  });

  it("says when it will try again if the pull is rate limited, and does", async () => {
    let synced = false;
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: synced ? [ada] : [] }),
      "GET /my_organizations": () => ({ body: [] }),
      [selfSync]: () => {
        if (pulls(fake) === 1) return { status: 429, body: { error: "you synced less than 30 s ago: try again in 1 s" }, headers: { "retry-after": "1" } };
        synced = true;
        return { body: { result: "synced", user_id: ada.clerk_id, outcome: "applied", memberships: 0 } };
      },
    });
    renderPage(<MePage pollMs={60_000} />, { api: fake, userId: ada.clerk_id });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("You synced with Clerk a moment ago.");
    expect(alert.textContent).toContain("Trying again in 1 s.");
    expect(await screen.findByLabelText("Bio", undefined, { timeout: 3_000 })).toBeTruthy();
    expect(pulls(fake)).toBe(2);
  });

  it("says Clerk is not answering, and when it will try again", async () => {
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: [] }),
      [selfSync]: () => ({ status: 503, body: { error: "Clerk is not answering right now (503): try again in 30 s" }, headers: { "retry-after": "30" } }),
    });
    renderPage(<MePage pollMs={60_000} />, { api: fake, userId: ada.clerk_id });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Clerk is not answering right now, so your profile could not be fetched.");
    expect(alert.textContent).toMatch(/Trying again in (30|29) s/);
  });

  it("shows the function's own words when it refuses, with Try again", async () => {
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: [] }),
      [selfSync]: () => ({ status: 502, body: { error: "Clerk refused the sync's request (401): the function's CLERK_SECRET_KEY may be wrong" } }),
    });
    renderPage(<MePage pollMs={60_000} />, { api: fake, userId: ada.clerk_id });
    expect((await screen.findByRole("alert")).textContent).toContain("CLERK_SECRET_KEY may be wrong");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(pulls(fake)).toBe(2));
  });

  it("says so when the pull ran and the row is still not there (deleted here, not in Clerk)", async () => {
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: [] }),
      [selfSync]: () => ({ body: { result: "synced", user_id: ada.clerk_id, outcome: "stale", memberships: 0 } }),
    });
    renderPage(<MePage pollMs={60_000} />, { api: fake, userId: ada.clerk_id });
    expect(await screen.findByRole("heading", { name: "Your profile is not in this app" })).toBeTruthy();
    expect(pulls(fake)).toBe(1);
  });

  it("signs out a user Clerk no longer has, and the sign-in page says why", async () => {
    let signedOut = 0;
    const fake = fakeApi({
      "GET /countries": () => ({ body: countries }),
      "GET /profiles": () => ({ body: [] }),
      [selfSync]: () => ({ body: { result: "deleted", user_id: ada.clerk_id, outcome: "applied" } }),
    });
    renderPage(<MeThenSignIn />, { api: fake, userId: ada.clerk_id, auth: { signOut: async () => void signedOut++ } });
    expect((await screen.findByRole("alert")).textContent).toContain("Your account no longer exists in Clerk");
    expect(signedOut).toBe(1);
  });

  it("refreshes from Clerk on request, and says how it went", async () => {
    const fake = api();
    fake.on(selfSync, () =>
      pulls(fake) === 1
        ? { body: { result: "synced", user_id: ada.clerk_id, outcome: "stale", memberships: 0 } }
        : { status: 429, body: { error: "you synced less than 30 s ago: try again in 25 s" }, headers: { "retry-after": "25" } });
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const refresh = await screen.findByRole("button", { name: "Refresh from Clerk" });
    expect(pulls(fake), "a row that is there is not pulled by itself").toBe(0);

    await userEvent.click(refresh);
    expect((await screen.findByText("Already up to date with Clerk.")).getAttribute("role")).toBe("status");
    await userEvent.click(screen.getByRole("button", { name: "Refresh from Clerk" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/You synced with Clerk a moment ago\. Try again in 2[45] s\./);
    expect((screen.getByRole("button", { name: "Refresh from Clerk" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("lists my organizations with my role in each, linked to their pages", async () => {
    const fake = api();
    fake.on("GET /my_organizations", () => ({
      body: [myOrganization(), myOrganization({ organization_id: "org_2Babbage", name: "Difference Engines", role: "org:member", members_count: 1 })],
    }));
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const section = within(await screen.findByRole("region", { name: "Your organizations" }));
    const items = await section.findAllByRole("listitem");
    expect(items.map((item) => within(item).getByRole("link").textContent)).toEqual(["Analytical Engines", "Difference Engines"]);
    expect(items[0]!.textContent).toContain("2 members");
    expect(items[0]!.textContent).toContain("Admin");
    expect(items[1]!.textContent).toContain("1 member");
    expect(items[1]!.textContent).toContain("Member");
    expect(section.getByRole("link", { name: "Difference Engines" }).getAttribute("href")).toBe("/orgs/org_2Babbage");
  });

  it("says when I am in no organization", async () => {
    renderPage(<MePage />, { api: api(), userId: ada.clerk_id });
    const section = within(await screen.findByRole("region", { name: "Your organizations" }));
    expect(await section.findByText(/You are not in any organization yet/)).toBeTruthy();
    expect(section.getByRole("link", { name: "See all organizations" }).getAttribute("href")).toBe("/orgs");
  });

  it("says why my organizations could not be loaded, next to the rest of the page, and tries again", async () => {
    let failing = true;
    const fake = api();
    fake.on("GET /my_organizations", () => (failing ? { status: 500, body: { message: "Database unavailable" } } : { body: [myOrganization()] }));
    renderPage(<MePage />, { api: fake, userId: ada.clerk_id });
    const section = within(await screen.findByRole("region", { name: "Your organizations" }));
    expect((await section.findByRole("alert")).textContent).toContain("Database unavailable");
    expect(screen.getByLabelText("Bio")).toBeTruthy();
    failing = false;
    await userEvent.click(section.getByRole("button", { name: "Try again" }));
    expect(await section.findByRole("link", { name: "Analytical Engines" })).toBeTruthy();
  });
});

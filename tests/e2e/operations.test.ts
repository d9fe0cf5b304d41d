/**
 * Organizations and the admins' sync health page, in the built dashboard in Debian's
 * Chromium against this run's stack, with every change sent through the real webhook:
 * who sees an organization's members (and that nobody else is sent them), and a failed
 * event replayed from the health page.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { envelope } from "../../scripts/simulator/payloads.ts";
import { database, newMessage, post, serviceClient } from "../support/clients.ts";
import { launchChromium, pageOpener, screenshots } from "./support/browser.ts";
import { castFor, signUp } from "./support/cast.ts";
import { buildDashboard, type DashboardBuild, type ServedDashboard, serveDashboard } from "./support/dashboard.ts";
import { addMember, createOrganization, deleteOrganization } from "./support/orgs.ts";

const stack = inject("stack");
const db = database(stack);
const { token, member } = castFor(stack);
// Names no other e2e file uses: the files share one stack, and the feed shows everyone.
const charles = member("Charles", "Babbage"); // admin of Analytical Engines
const mary = member("Mary", "Somerville"); // member of Analytical Engines, admin of Difference Engines
const claude = member("Claude", "Shannon"); // in neither: the stranger
const margaret = member("Margaret", "Hamilton"); // a sync admin
margaret.user.public_metadata = { role: "admin" };

const t0 = Date.now() - 3_600_000;

let build: DashboardBuild;
let dashboard: ServedDashboard;
let browser: Browser;
const { openPage, closeAll } = pageOpener(() => browser);
let analytical: Awaited<ReturnType<typeof createOrganization>>;
let difference: Awaited<ReturnType<typeof createOrganization>>;
let dissolved: Awaited<ReturnType<typeof createOrganization>>;
const membershipIds: string[] = [];

beforeAll(async () => {
  [build, browser] = await Promise.all([
    buildDashboard({ VITE_SUPABASE_URL: stack.apiUrl, VITE_SUPABASE_ANON_KEY: stack.anonKey, VITE_LOCAL_SIGN_IN: "1" }),
    launchChromium(),
    mkdir(screenshots, { recursive: true }),
  ]);
  dashboard = await serveDashboard(build.dir);
  for (const person of [charles, mary, claude, margaret]) await signUp(stack, person);
  analytical = await createOrganization(stack, "Analytical Engines", charles, t0);
  difference = await createOrganization(stack, "Difference Engines", mary, t0 + 1_000);
  dissolved = await createOrganization(stack, "Dissolved Engines Society", claude, t0 + 2_000);
  membershipIds.push(await addMember(stack, analytical, charles, "org:admin", t0 + 3_000));
  membershipIds.push(await addMember(stack, analytical, mary, "org:member", t0 + 4_000));
  await addMember(stack, difference, mary, "org:admin", t0 + 5_000);
  await addMember(stack, dissolved, claude, "org:admin", t0 + 6_000);
});

afterAll(async () => {
  await closeAll();
  await browser?.close();
  await dashboard?.close();
  await build?.remove();
});

/** Everything the browser was sent, bodies included, from now on. */
function recordResponses(page: Page) {
  const responses: Array<{ url: string; status: number; body: string }> = [];
  page.on("response", async (response) => {
    responses.push({ url: response.url(), status: response.status(), body: await response.text().catch(() => "") });
  });
  return responses;
}

describe("organizations", () => {
  it("lists every organization's public information in the directory, with a search", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${dashboard.url}/orgs`);
    await page.getByRole("heading", { level: 1, name: "Organizations" }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill("Engines");
    await page.waitForURL((url) => url.searchParams.get("q") === "Engines");
    await page.getByText("Showing 3 organizations").waitFor();
    expect(await page.getByRole("article").getByRole("heading").allTextContents()).toEqual(["Analytical Engines", "Difference Engines", "Dissolved Engines Society"]);
    const card = page.getByRole("article").filter({ hasText: "Analytical Engines" });
    expect(await card.textContent()).toContain("2 members");
    await page.screenshot({ path: resolve(screenshots, "orgs.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: resolve(screenshots, "orgs-phone.png") });

    await card.getByRole("link", { name: "Analytical Engines" }).click();
    await page.getByRole("heading", { level: 1, name: "Analytical Engines" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/orgs/${analytical.id}`);
    expect(errors).toEqual([]);
  });

  it("shows a member the organization's members, with their roles", async () => {
    const { page, errors } = await openPage({ signedInAs: mary.user.id });
    await page.goto(`${dashboard.url}/orgs/${analytical.id}`);
    const list = page.getByRole("list", { name: "Members of Analytical Engines" });
    await list.waitFor();
    const rows = list.getByRole("listitem");
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/Charles Babbage.*Admin/);
    expect(await rows.nth(1).textContent()).toMatch(/Mary Somerville \(you\).*Member/);
    expect(await page.getByText("Members are visible to members").count()).toBe(0);
    await page.screenshot({ path: resolve(screenshots, "org.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: resolve(screenshots, "org-phone.png"), fullPage: true });

    await list.getByRole("link", { name: "Charles Babbage" }).click();
    await page.getByRole("heading", { level: 1, name: "Charles Babbage" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("never shows a non-member who the members are, in the page or in any response", async () => {
    const { page, errors } = await openPage({ signedInAs: claude.user.id });
    const responses = recordResponses(page);
    await page.goto(`${dashboard.url}/orgs/${analytical.id}`);
    await page.getByRole("heading", { level: 1, name: "Analytical Engines" }).waitFor();
    const note = page.getByRole("note").filter({ hasText: "Members are visible to members" });
    await note.waitFor();
    expect(await note.textContent()).toContain("You are not a member of Analytical Engines");
    expect(await page.getByText("2 members").count()).toBe(1);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: resolve(screenshots, "org-non-member.png"), fullPage: true });

    // The browser did ask, as Claude, and the database answered with no one.
    const asked = responses.filter((r) => r.url.includes("/rest/v1/organization_members"));
    expect(asked.map((r) => [r.status, r.body])).toEqual([[200, "[]"]]);
    const everything = [await page.content(), ...responses.map((r) => r.body)].join("\n");
    for (const secret of [charles.user.id, mary.user.id, ...membershipIds, "Babbage", "Somerville", `charles_${token}`, `mary_${token}`, charles.email, mary.email]) {
      expect(everything, `${secret} reached a non-member`).not.toContain(secret);
    }
    expect(errors).toEqual([]);
  });

  it("tells a visitor that members are visible to members, without asking for them", async () => {
    const { page, errors } = await openPage();
    const responses = recordResponses(page);
    await page.goto(`${dashboard.url}/orgs/${analytical.id}`);
    const note = page.getByRole("note").filter({ hasText: "Members are visible to members" });
    await note.waitFor();
    expect(await note.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(`/sign-in?redirect_url=${encodeURIComponent(`/orgs/${analytical.id}`)}`);
    await page.waitForLoadState("networkidle");
    expect(responses.some((r) => r.url.includes("/organization_members"))).toBe(false);
    expect(errors).toEqual([]);
  });

  it("brings a visitor who signs in from an organization's page back to it, where a member now sees the members", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${dashboard.url}/orgs/${analytical.id}`);
    const note = page.getByRole("note").filter({ hasText: "Members are visible to members" });
    await note.getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("searchbox", { name: "Find a user" }).fill(token);
    await page.getByRole("button", { name: "Sign in as Mary Somerville" }).click();

    await page.getByRole("list", { name: "Members of Analytical Engines" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/orgs/${analytical.id}`);
    expect(errors).toEqual([]);
  });

  it("lists the signed-in user's organizations on /me, with their role in each", async () => {
    const { page, errors } = await openPage({ signedInAs: mary.user.id });
    await page.goto(`${dashboard.url}/me`);
    const section = page.getByRole("region", { name: "Your organizations" });
    await section.getByRole("listitem").first().waitFor();
    const items = section.getByRole("listitem");
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toMatch(/Analytical Engines.*2 members.*Member/);
    expect(await items.nth(1).textContent()).toMatch(/Difference Engines.*1 member.*Admin/);
    await page.getByLabel("Bio").waitFor();
    await page.screenshot({ path: resolve(screenshots, "me-orgs.png"), fullPage: true });
    await section.getByRole("link", { name: "Difference Engines" }).click();
    await page.getByRole("list", { name: "Members of Difference Engines" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("says not found for an unknown organization and for a deleted one, which leaves the directory", async () => {
    const { page, errors } = await openPage({ signedInAs: claude.user.id });
    await page.goto(`${dashboard.url}/orgs/org_2ThisOrganizationDoesNotExist`);
    await page.getByRole("heading", { name: "Organization not found" }).waitFor();

    await page.goto(`${dashboard.url}/orgs/${dissolved.id}`);
    await page.getByRole("heading", { level: 1, name: "Dissolved Engines Society" }).waitFor();
    await deleteOrganization(stack, dissolved);
    await page.reload();
    await page.getByRole("heading", { name: "Organization not found" }).waitFor();

    await page.goto(`${dashboard.url}/orgs?q=Dissolved`);
    await page.getByRole("heading", { name: "No organization matches" }).waitFor();
    await page.goto(`${dashboard.url}/me`);
    await page.getByRole("region", { name: "Your organizations" }).getByText("You are not in any organization yet.").waitFor();
    expect(errors).toEqual([]);
  });
});

describe("the sync health page", () => {
  it("lets an admin replay failed events: each is applied, and its answer shows where its Replay button was", async () => {
    // Two users whose username a "later migration" refuses: NOT VALID, so only new
    // writes are checked, and only these two break it.
    const poisoned = [member("Poisoned", "One"), member("Tainted", "Two")];
    const constraint = `test_e2e_poison_${token}`;
    await db.query(`alter table profiles add constraint ${constraint} check (username is null or username not in ('${poisoned.map((p) => p.user.username).join("','")}')) not valid`);
    const messages = poisoned.map((p) => newMessage(envelope("user.created", p.user, p.user.created_at)));
    try {
      for (const message of messages) expect((await post(stack, message)).status).toBe(422);
    } finally {
      await db.query(`alter table profiles drop constraint ${constraint}`);
    }

    const { page, errors } = await openPage({ signedInAs: margaret.user.id });
    await page.goto(`${dashboard.url}/admin/health`);
    await page.getByRole("heading", { level: 1, name: "Sync health" }).waitFor();
    await page.getByRole("link", { name: "Sync health" }).waitFor();
    // Our events still waiting: a replayed one stays in its place with its answer, without a button.
    const ours = () =>
      page
        .getByRole("list", { name: "Failed events" })
        .getByRole("listitem")
        .filter({ hasText: token })
        .filter({ has: page.getByRole("button", { name: "Replay" }) });
    await ours().first().waitFor();
    expect(await ours().count()).toBe(2);
    expect(await page.getByRole("img", { name: /Webhooks per (minute|\d+ minutes) by outcome/ }).count()).toBe(1);
    expect(await page.getByText("Last webhook").count()).toBe(1);
    await page.screenshot({ path: resolve(screenshots, "health.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: resolve(screenshots, "health-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    const first = page.getByRole("listitem").filter({ hasText: messages[0]!.id });
    expect(await first.textContent()).toContain(constraint);
    await first.getByRole("button", { name: "Replay" }).click();
    await first.getByText(`Replayed ${messages[0]!.id}: applied.`).waitFor();
    await first.getByRole("button", { name: "Replay" }).waitFor({ state: "detached" });
    expect(await ours().count()).toBe(1);
    expect(await ours().first().textContent()).toContain(messages[1]!.id);

    await ours().first().getByRole("button", { name: "Replay" }).click();
    await page.getByText(`Replayed ${messages[1]!.id}: applied.`).waitFor();
    await ours().first().waitFor({ state: "detached" });

    const { rows } = await db.query("select svix_id, outcome::text from clerk_events where svix_id = any($1)", [messages.map((m) => m.id)]);
    expect(Object.fromEntries(rows.map((row) => [row.svix_id, row.outcome]))).toEqual(Object.fromEntries(messages.map((m) => [m.id, "applied"])));
    const { data } = await serviceClient(stack).from("profiles").select("clerk_id, username").in("clerk_id", poisoned.map((p) => p.user.id));
    expect(Object.fromEntries((data ?? []).map((row) => [row.clerk_id, row.username]))).toEqual(Object.fromEntries(poisoned.map((p) => [p.user.id, p.user.username])));
    expect(errors).toEqual([]);
  });

  it("lets an admin discard a failed event that no fix can apply: it leaves the failed list, recorded as theirs", async () => {
    const doomed = member("Doomed", "Event");
    const constraint = `test_e2e_discard_${token}`;
    await db.query(`alter table profiles add constraint ${constraint} check (username is distinct from '${doomed.user.username}') not valid`);
    const message = newMessage(envelope("user.created", doomed.user, doomed.user.created_at));
    try {
      expect((await post(stack, message)).status).toBe(422);

      const { page, errors } = await openPage({ signedInAs: margaret.user.id });
      await page.goto(`${dashboard.url}/admin/health`);
      const item = page.getByRole("list", { name: "Failed events" }).getByRole("listitem").filter({ hasText: message.id });
      await item.waitFor();
      await item.getByRole("button", { name: "Discard", exact: true }).click();
      await item.getByRole("button", { name: "Discard for good" }).click();
      await item.getByText(`Discarded ${message.id}, recorded as discarded by ${margaret.user.id}. It no longer counts as failed.`).waitFor();
      // It has left the failed list: the row stays in its place with its answer, and without a button.
      await item.getByRole("button").first().waitFor({ state: "detached" });
      await expect.poll(() => item.evaluate((li) => li.classList.contains("failed-event--done"))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await db.query(`alter table profiles drop constraint ${constraint}`);
    }
    const { rows } = await db.query("select outcome::text, discarded_by from clerk_events where svix_id = $1", [message.id]);
    expect(rows).toEqual([{ outcome: "discarded", discarded_by: margaret.user.id }]);
  });

  it("tells a signed-in user who is not an admin that the page is for admins, and shows them no link to it", async () => {
    const { page, errors } = await openPage({ signedInAs: claude.user.id });
    await page.goto(`${dashboard.url}/admin/health`);
    await page.getByRole("heading", { name: "Admins only" }).waitFor();
    expect(await page.getByRole("link", { name: "Sync health" }).count()).toBe(0);
    expect(await page.getByText("Failed events").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

/**
 * The built dashboard in Debian's Chromium against this run's stack: what a visitor and
 * a signed-in user (local sign-in) see, with data sent through the real webhook.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { serviceClient } from "../support/clients.ts";
import { launchChromium, pageOpener, screenshots } from "./support/browser.ts";
import { addToClerk, castFor, deleteUser, removeFromClerk, signUp, writeOwnFields } from "./support/cast.ts";
import { buildDashboard, type DashboardBuild, type ServedDashboard, serveDashboard } from "./support/dashboard.ts";

const stack = inject("stack");
const { token, member } = castFor(stack);
const ada = member("Ada", "Lovelace");
const grace = member("Grace", "Hopper");
const alan = member("Alan", "Turing");
const katherine = member("Katherine", "Johnson");
const linus = member("Linus", "Torvalds");
const hedy = member("Hedy", "Lamarr"); // signs up while the feed is open


let build: DashboardBuild;
let dashboard: ServedDashboard;
let browser: Browser;
const { openPage, closeAll } = pageOpener(() => browser);

beforeAll(async () => {
  [build, browser] = await Promise.all([
    buildDashboard({ VITE_SUPABASE_URL: stack.apiUrl, VITE_SUPABASE_ANON_KEY: stack.anonKey, VITE_LOCAL_SIGN_IN: "1" }),
    launchChromium(),
    mkdir(screenshots, { recursive: true }),
  ]);
  dashboard = await serveDashboard(build.dir);
  for (const person of [alan, katherine, linus, grace, ada]) await signUp(stack, person);
  await writeOwnFields(stack, grace, { bio: "Invented the compiler; found the first actual bug.", country: "US" });
  await writeOwnFields(stack, katherine, { bio: "Calculated the trajectories that took people to the Moon.", country: "US" });
  await writeOwnFields(stack, linus, { bio: "Just a hobby, won't be big and professional.", country: "FI" });
  await writeOwnFields(stack, alan, { bio: "Can machines think?", country: "GB" });
});

afterAll(async () => {
  await closeAll();
  await browser?.close();
  await dashboard?.close();
  await build?.remove();
});

function card(page: Page, name: string) {
  return page.getByRole("article").filter({ has: page.getByRole("heading", { name }) });
}

describe("the dashboard", () => {
  it("shows a visitor the feed, newest first, with names, usernames, countries and bios", async () => {
    const { page, errors } = await openPage();
    await page.goto(dashboard.url);
    await page.getByRole("heading", { name: "People" }).waitFor();
    await page.getByRole("article").first().waitFor();

    await page.getByRole("searchbox", { name: "Search" }).fill(token);
    // The cast is also the newest on the unfiltered feed: wait for the search itself.
    await page.waitForURL((url) => url.searchParams.get("q") === token);
    await page.getByText("Showing 5 profiles").waitFor();
    const names = await page.getByRole("article").getByRole("heading").allTextContents();
    expect(names).toEqual(["Linus Torvalds", "Katherine Johnson", "Alan Turing", "Grace Hopper", "Ada Lovelace"]);
    const graceCard = card(page, "Grace Hopper");
    expect(await graceCard.textContent()).toContain(`@grace_${token}`);
    expect(await graceCard.textContent()).toContain("United States");
    expect(await graceCard.textContent()).toContain("Invented the compiler");

    await page.screenshot({ path: resolve(screenshots, "feed.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: resolve(screenshots, "feed-phone.png") });
    expect(errors).toEqual([]);
  });

  it("shows a user who signs up while the page is open, after a refresh", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${dashboard.url}/?q=${token}`);
    await card(page, "Ada Lovelace").waitFor();
    expect(await card(page, "Hedy Lamarr").count()).toBe(0);

    await signUp(stack, hedy);
    await page.getByRole("button", { name: "Refresh" }).click();

    await card(page, "Hedy Lamarr").waitFor();
    expect(await page.getByRole("article").getByRole("heading").first().textContent()).toBe("Hedy Lamarr");
    expect(errors).toEqual([]);
  });

  it("lets a signed-in user edit bio, birthday and country, and keeps them after a reload", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${dashboard.url}/sign-in`);
    await page.getByText("Local development only.").waitFor();
    await page.getByRole("searchbox", { name: "Find a user" }).fill(token);
    await page.getByRole("button", { name: "Sign in as Ada Lovelace" }).click();

    await page.getByRole("heading", { name: "My profile" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/me");
    const account = page.getByRole("region", { name: "Ada Lovelace" });
    expect(await account.textContent()).toContain(ada.email);
    expect(await account.textContent()).toContain("Managed in Clerk");

    await page.getByLabel("Bio").fill("First programmer. Wrote notes on the Analytical Engine.");
    const birthday = page.getByRole("group", { name: "Birthday" });
    await birthday.getByLabel("Day").fill("10");
    await birthday.getByLabel("Month").selectOption("12");
    await birthday.getByLabel("Year").fill("1990");
    await page.getByLabel("Country").selectOption("GB");
    await page.getByLabel("Show my birthday on my public profile").check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();

    await page.reload();
    await page.getByLabel("Bio").waitFor();
    expect(await page.getByLabel("Bio").inputValue()).toBe("First programmer. Wrote notes on the Analytical Engine.");
    expect([await birthday.getByLabel("Day").inputValue(), await birthday.getByLabel("Month").inputValue(), await birthday.getByLabel("Year").inputValue()]).toEqual(["10", "12", "1990"]);
    expect(await page.getByLabel("Country").inputValue()).toBe("GB");
    expect(await page.getByLabel("Show my birthday on my public profile").isChecked()).toBe(true);
    await page.screenshot({ path: resolve(screenshots, "me.png"), fullPage: true });

    const { data } = await serviceClient(stack).from("profiles").select("bio, birthday, birthday_public, country").eq("clerk_id", ada.user.id).single();
    expect(data).toEqual({ bio: "First programmer. Wrote notes on the Analytical Engine.", birthday: "1990-12-10", birthday_public: true, country: "GB" });

    await page.goto(`${dashboard.url}/u/${ada.user.id}`);
    await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor();
    await page.getByRole("article").getByText("United Kingdom").waitFor();
    const profile = await page.getByRole("article").textContent();
    expect(profile).toContain("First programmer.");
    expect(profile).toContain("10 December 1990");
    expect(profile).toContain("United Kingdom");
    await page.screenshot({ path: resolve(screenshots, "profile.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("puts My profile's form before the read-only cards on a phone, and beside them on a wide screen", async () => {
    const { page, errors } = await openPage({ signedInAs: grace.user.id, width: 390 });
    await page.goto(`${dashboard.url}/me`);
    const form = page.getByRole("form", { name: "About you" });
    const account = page.getByRole("region", { name: "Grace Hopper" });
    await form.waitFor();
    const [formBox, accountBox] = [await form.boundingBox(), await account.boundingBox()];
    expect(formBox!.y + formBox!.height).toBeLessThanOrEqual(accountBox!.y);
    await page.screenshot({ path: resolve(screenshots, "me-phone.png"), fullPage: true });

    await page.setViewportSize({ width: 1280, height: 900 });
    const [wideForm, wideAccount] = [await form.boundingBox(), await account.boundingBox()];
    expect(wideForm!.x).toBeGreaterThan(wideAccount!.x + wideAccount!.width);
    expect(errors).toEqual([]);
  });

  it("never shows a signed-in user another user's email, in the page or in any response", async () => {
    const { page, errors } = await openPage({ signedInAs: ada.user.id });
    const bodies: Array<{ url: string; body: string }> = [];
    page.on("response", async (response) => {
      const body = await response.text().catch(() => "");
      bodies.push({ url: response.url(), body });
    });
    const pagesText: string[] = [];
    const visit = async (path: string, ready: () => Promise<void>) => {
      await page.goto(dashboard.url + path);
      await ready();
      await page.waitForLoadState("networkidle");
      pagesText.push(await page.content());
    };

    await visit(`/?q=${token}`, () => card(page, "Grace Hopper").waitFor());
    await visit(`/u/${grace.user.id}`, () => page.getByRole("heading", { level: 1, name: "Grace Hopper" }).waitFor());
    await visit("/me", () => page.getByLabel("Bio").waitFor());
    await visit("/sign-in", () => page.getByRole("button", { name: "Sign in as Grace Hopper" }).first().waitFor().catch(() => {}));

    const everything = [...pagesText, ...bodies.map((b) => b.body)].join("\n");
    // The check can see an email: the user's own is on /me, as it should be.
    expect(everything).toContain(ada.email);
    for (const other of [grace, alan, katherine, linus]) {
      expect(everything, `${other.email} must never reach another user`).not.toContain(other.email);
    }
    expect(bodies.some((b) => b.url.includes("/rest/v1/rpc/profile_feed"))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("shows a new user whose webhook was never delivered their own editable profile, pulled from Clerk", async () => {
    const newcomer = member("Frances", "Allen");
    await addToClerk(stack, newcomer);
    const { page, errors } = await openPage({ signedInAs: newcomer.user.id });
    await page.goto(`${dashboard.url}/me`);

    // No webhook, no reload: the page pulls the row itself.
    await page.getByLabel("Bio").waitFor({ timeout: 15_000 });
    expect(await page.getByRole("region", { name: "Frances Allen" }).textContent()).toContain(newcomer.email);
    await page.getByLabel("Bio").fill("Pulled, not pushed.");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved").first().waitFor();
    const { data } = await serviceClient(stack).from("profiles").select("bio, event_id").eq("clerk_id", newcomer.user.id).single();
    expect(data).toEqual({ bio: "Pulled, not pushed.", event_id: `pull:${newcomer.user.id}:${newcomer.user.updated_at}` });
    expect(errors).toEqual([]);
  });

  it("signs out a user deleted in Clerk when they refresh from Clerk, and says why", async () => {
    const leaver = member("Ellen", "Ochoa");
    await addToClerk(stack, leaver);
    await signUp(stack, leaver);
    const { page, errors } = await openPage({ signedInAs: leaver.user.id });
    await page.goto(`${dashboard.url}/me`);
    await page.getByLabel("Bio").waitFor();

    await removeFromClerk(stack, leaver); // and the user.deleted webhook never comes
    await page.getByRole("button", { name: "Refresh from Clerk" }).click();
    await page.getByText("Your account no longer exists in Clerk").waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(await page.evaluate(() => localStorage.getItem("clerk-supabase-sync.local-user")), "signed out").toBeNull();
    const { data } = await serviceClient(stack).from("profiles").select("deleted_at").eq("clerk_id", leaver.user.id).single();
    expect(data!.deleted_at).not.toBeNull();
    expect(errors).toEqual([]);
  });

  it("removes a deleted user from the feed, and their page says not found", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${dashboard.url}/?q=${token}`);
    await card(page, "Alan Turing").waitFor();

    await deleteUser(stack, alan);
    await page.getByRole("button", { name: "Refresh" }).click();
    await card(page, "Alan Turing").waitFor({ state: "detached" });
    expect(await card(page, "Ada Lovelace").count()).toBe(1);

    await page.goto(`${dashboard.url}/u/${alan.user.id}`);
    await page.getByRole("heading", { name: "Profile not found" }).waitFor();
    expect(errors).toEqual([]);
  });
});

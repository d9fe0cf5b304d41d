import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { SyncHealthReport } from "../../data/sync-health/index.ts";
import { type ApiReply, deferred, fakeApi } from "../../test/fakeApi.ts";
import { healthReport } from "../../test/fixtures.ts";
import { renderPage } from "../../test/render.tsx";
import { HealthPage } from "./HealthPage.tsx";

const admin = "user_2AdminAda";
const replayPath = "/functions/v1/clerk-sync-admin/replay";
const discardPath = "/functions/v1/clerk-sync-admin/discard";

function api(report: () => SyncHealthReport | ApiReply = () => healthReport()) {
  return fakeApi({
    "POST /rpc/sync_health_report": () => {
      const answer = report();
      return "generated_at" in answer ? { body: answer } : answer;
    },
  });
}

function render(fake = api(), userId: string | null = admin, route = "/admin/health") {
  return renderPage(<HealthPage refreshMs={60_000} />, { api: fake, userId, admin: userId !== null, route, path: "/admin/health" });
}

describe("HealthPage", () => {
  it("shows an admin the last webhook, lag, failed count, ledger and a chart of events per minute", async () => {
    const fake = api();
    render(fake);
    expect(await screen.findByRole("heading", { level: 1, name: "Sync health" })).toBeTruthy();
    expect(screen.getByText("Failed events", { selector: ".status-pill" })).toBeTruthy();

    const stat = (label: string) => screen.getByText(label).parentElement!.textContent;
    expect(stat("Last webhook")).toContain("42 s ago");
    expect(stat("Last webhook")).toContain(", 0.30 s after the event.");
    // The headline and its caption are the same statistic: the median lag of the window.
    expect(stat("Lag, median")).toMatch(/^Lag, median0\.21 sHalf the webhooks of the last hour arrived within 0\.21 s of their event, 95 % within 1\.4 s\.$/);
    expect(stat("Ledger size")).toContain("2.3 MB");
    expect(stat("Ledger size")).toContain("1,234 messages; the size counts their indexes.");
    // New messages, and apart from them the duplicates: never read as "124 webhooks · 3 redelivered".
    expect(stat("New webhooks, last hour")).toContain("124First deliveries.");
    expect(stat("New webhooks, last hour")).toContain("3 messages came again as a duplicate (a retry or replay), changing nothing.");

    const chart = screen.getByRole("img", { name: /Webhooks per minute by outcome/ });
    expect(chart.querySelectorAll(".chart__bar")).toHaveLength(60);
    expect(chart.querySelector("desc")!.textContent).toMatch(/^120 applied, 2 stale, 1 ignored, 1 failed in the last 60 minutes\./);
    const legend = within(screen.getByRole("list", { name: "Totals in the window" }));
    expect(legend.getByText("Failed").textContent).toContain("1");

    const failed = within(screen.getByRole("list", { name: "Failed events" }));
    const item = failed.getByRole("listitem", { name: /user\.created/ });
    expect(item.textContent).toContain("msg_2FailedOne");
    expect(item.textContent).toContain("test_poison");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(fake.requests[0]!.body).toEqual({ window_minutes: 60, stale_after_seconds: 3600 });
  });

  it("warns loudly when no webhook has arrived for longer than the time set, and the time can be changed", async () => {
    const fake = api();
    fake.on("POST /rpc/sync_health_report", ({ body }) => {
      const staleAfter = (body as { stale_after_seconds: number }).stale_after_seconds;
      return { body: healthReport({ last_event_age_seconds: 7_500, stale_after_seconds: staleAfter, stalled: 7_500 > staleAfter, failed: [], failed_count: 0 }) };
    });
    render(fake, admin, "/admin/health?stale=21600");
    expect(await screen.findByText("Healthy")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();

    await userEvent.selectOptions(screen.getByLabelText("Warn when no webhook for"), "3600");
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByRole("heading").textContent).toBe("No webhook has arrived for 2 h 5 min");
    expect(alert.textContent).toContain("longer than the 1 h you set");
    expect(alert.textContent).toContain("npm run clerk -- reconcile");
    expect(screen.getByText("Stalled", { selector: ".status-pill" })).toBeTruthy();
    expect(fake.requests.at(-1)!.body).toEqual({ window_minutes: 60, stale_after_seconds: 3600 });
  });

  it("says when no webhook has ever arrived", async () => {
    render(api(() => healthReport({ last_event_received_at: null, last_event_at: null, last_event_age_seconds: null, stalled: true, lag_seconds: { p50: null, p95: null, max: null, last: null }, per_minute: [], failed: [], failed_count: 0 })));
    expect(within(await screen.findByRole("alert")).getByRole("heading").textContent).toBe("No webhook has ever arrived");
    expect(screen.getByText("Never")).toBeTruthy();
    expect(screen.getByRole("img", { name: /No webhooks in the last 0 minutes/ })).toBeTruthy();
    expect(screen.getByText("No failed events. Everything Clerk sent was stored.")).toBeTruthy();
  });

  it("tells a signed-in non-admin the page is for admins (the database refuses them)", async () => {
    const fake = api(() => ({ status: 403, body: { code: "42501", message: "sync_health_report is for admins", details: null, hint: null } }));
    renderPage(<HealthPage />, { api: fake, userId: "user_2Member", route: "/admin/health", path: "/admin/health" });
    expect(await screen.findByRole("heading", { name: "Admins only" })).toBeTruthy();
    expect(screen.getByText(/"role": "admin"/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("asks a visitor to sign in, and asks the database nothing", async () => {
    const fake = api();
    render(fake, null);
    expect(await screen.findByRole("heading", { name: "Sign in to see sync health" })).toBeTruthy();
    expect(fake.requests).toHaveLength(0);
  });

  it("shows why the report failed and tries again", async () => {
    let failing = true;
    render(api(() => (failing ? { status: 500, body: { message: "canceling statement due to statement timeout" } } : healthReport())));
    expect((await screen.findByRole("alert")).textContent).toContain("statement timeout");
    failing = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sync health" })).toBeTruthy();
  });

  it("replays a failed event with the admin's token, then shows its answer where the button was, and a report without it", async () => {
    let replayed = false;
    const reply = deferred<ApiReply>();
    const fake = api(() => (replayed ? healthReport({ failed: [], failed_count: 0 }) : healthReport()));
    fake.on(`POST ${replayPath}`, async () => {
      const answer = await reply.promise;
      replayed = true;
      return answer;
    });
    render(fake);
    const item = await screen.findByRole("listitem", { name: /user\.created/ });
    await userEvent.click(within(item).getByRole("button", { name: "Replay" }));

    expect(within(item).getByRole("button", { name: "Replaying…" }).hasAttribute("disabled")).toBe(true);
    const request = fake.requests.find((r) => r.path === replayPath)!;
    expect(request.body).toEqual({ svix_id: "msg_2FailedOne" });
    expect(request.headers.get("authorization")).toBe(`Bearer token-for-${admin}`);

    reply.resolve({ body: { svix_id: "msg_2FailedOne", outcome: "applied" } });
    // The answer is where the button was, in the event's own row.
    expect(await within(item).findByText("Replayed msg_2FailedOne: applied.")).toBeTruthy();
    expect(within(item).queryByRole("button")).toBeNull();
    // The report, fetched again, has no failed event left; the row stays with its answer.
    expect(await screen.findByText("No failed events. Everything Clerk sent was stored.")).toBeTruthy();
    expect(screen.getByText("Healthy")).toBeTruthy();
    expect(within(screen.getByRole("region", { name: "Failed events" })).getByText("0")).toBeTruthy();
    expect(within(item).getByRole("status").textContent).toBe("Replayed msg_2FailedOne: applied.");
  });

  it("says when a replayed event failed again", async () => {
    const fake = api();
    fake.on(`POST ${replayPath}`, () => ({ body: { svix_id: "msg_2FailedOne", outcome: "failed" } }));
    render(fake);
    const item = await screen.findByRole("listitem", { name: /user\.created/ });
    await userEvent.click(within(item).getByRole("button", { name: "Replay" }));
    expect(await within(item).findByText(/failed again: its cause is not fixed yet/)).toBeTruthy();
    expect(within(item).getByRole("button", { name: "Replay again" })).toBeTruthy();
  });

  it("shows the function's refusal next to the event, which stays in the list", async () => {
    const fake = api();
    fake.on(`POST ${replayPath}`, () => ({ status: 403, body: { error: "admins only: your session token does not carry metadata.role = admin" } }));
    render(fake);
    const item = await screen.findByRole("listitem", { name: /user\.created/ });
    await userEvent.click(within(item).getByRole("button", { name: "Replay" }));
    expect((await within(item).findByRole("alert")).textContent).toBe("The replay did not run: admins only: your session token does not carry metadata.role = admin");
    expect(within(item).getByRole("button", { name: "Replay" })).toBeTruthy();
  });

  it("discards a failed event only after a second click, with the admin's token, then shows who, in the event's row, and a report without it", async () => {
    let discarded = false;
    const fake = api(() => (discarded ? healthReport({ failed: [], failed_count: 0 }) : healthReport()));
    fake.on(`POST ${discardPath}`, () => {
      discarded = true;
      return { body: { svix_id: "msg_2FailedOne", outcome: "discarded", discarded_by: admin, discarded_at: "2026-12-01T12:00:00Z" } };
    });
    render(fake);
    const item = await screen.findByRole("listitem", { name: /user\.created/ });
    await userEvent.click(within(item).getByRole("button", { name: "Discard" }));
    expect(fake.requests.some((r) => r.path === discardPath), "the first click only asks").toBe(false);
    const confirm = within(item).getByRole("group", { name: "Discard msg_2FailedOne?" });
    expect(confirm.textContent).toContain("It will never be applied");

    await userEvent.click(within(confirm).getByRole("button", { name: "Discard for good" }));
    expect(await within(item).findByText(`Discarded msg_2FailedOne, recorded as discarded by ${admin}. It no longer counts as failed.`)).toBeTruthy();
    const request = fake.requests.find((r) => r.path === discardPath)!;
    expect(request.body).toEqual({ svix_id: "msg_2FailedOne" });
    expect(request.headers.get("authorization")).toBe(`Bearer token-for-${admin}`);
    // The report, fetched again, has no failed event left; the row stays with its answer and no buttons.
    expect(await screen.findByText("No failed events. Everything Clerk sent was stored.")).toBeTruthy();
    expect(within(item).queryByRole("button")).toBeNull();
    expect(screen.getByText("Healthy")).toBeTruthy();
    expect(within(screen.getByRole("region", { name: "Failed events" })).getByText("0")).toBeTruthy();
  });

  it("discards nothing when the admin cancels, and shows a refusal next to the event", async () => {
    const fake = api();
    fake.on(`POST ${discardPath}`, () => ({ status: 403, body: { error: "admins only: your session token does not carry metadata.role = admin" } }));
    render(fake);
    const item = await screen.findByRole("listitem", { name: /user\.created/ });
    await userEvent.click(within(item).getByRole("button", { name: "Discard" }));
    await userEvent.click(within(item).getByRole("button", { name: "Cancel" }));
    expect(within(item).queryByRole("group")).toBeNull();
    expect(fake.requests.some((r) => r.path === discardPath)).toBe(false);

    await userEvent.click(within(item).getByRole("button", { name: "Discard" }));
    await userEvent.click(within(item).getByRole("button", { name: "Discard for good" }));
    expect((await within(item).findByRole("alert")).textContent).toBe("The discard did not run: admins only: your session token does not carry metadata.role = admin");
    expect(within(item).getByRole("button", { name: "Replay" })).toBeTruthy();
  });
});

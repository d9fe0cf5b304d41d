import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../data/reconcile/index.ts";
import { type ApiReply, fakeApi } from "../../test/fakeApi.ts";
import { renderPage } from "../../test/render.tsx";
import { ReconcileStatus } from "./ReconcileStatus.tsx";

const admin = "user_2AdminAda";

function reconcileReport(overrides: Partial<ReconcileReport> = {}): ReconcileReport {
  return {
    generated_at: "2026-11-22T12:00:00Z",
    last_step_at: "2026-11-22T11:58:03Z",
    last_step: {
      started_at: "2026-11-22T11:58:00Z",
      finished_at: "2026-11-22T11:58:03Z",
      stopped: "caught_up",
      requests: 4,
      kinds: {
        users: { read: 120, changed: 120, repaired: 3, deferred: 2, upserted: ["user_a", "user_b", "user_c"], newest_updated_at: "2026-11-22T11:57:00Z", caught_up: true },
        organizations: { read: 8, changed: 1, repaired: 0, deferred: 0, upserted: [], newest_updated_at: null, caught_up: true },
      },
      sweep: null,
    },
    holder: null,
    lease_until: null,
    schedule_seconds: 300,
    next_run_at: "2026-11-22T12:03:00Z",
    cursors: { users: { updated_at: Date.parse("2026-11-22T11:48:00Z"), offset: 4_120 }, organizations: { offset: 8 } },
    webhooks_missing: null,
    ...overrides,
  };
}

function render(reply: () => ApiReply) {
  const api = fakeApi({ "POST /rpc/sync_reconcile_report": reply });
  renderPage(<ReconcileStatus userId={admin} refreshMs={60_000} />, { api, userId: admin, admin: true });
  return api;
}

describe("ReconcileStatus", () => {
  it("shows the last step: when, what it repaired, the cursor, the lease and the next run", async () => {
    render(() => ({ body: reconcileReport({ holder: "clerk-reconcile:abc", lease_until: "2026-11-22T12:01:00Z" }) }));
    expect(await screen.findByRole("heading", { name: "Scheduled reconcile" })).toBeTruthy();
    const fact = (label: string) => screen.getByText(label).parentElement!.textContent!;
    expect(fact("Last step")).toContain("Caught up");
    expect(fact("Repaired")).toContain("3 upserted, of 120 users, 8 organizations read in 4 Backend API requests");
    expect(fact("Cursor")).toContain("(row 4,120)");
    expect(fact("Cursor")).toContain("organizations at 8");
    expect(fact("Lease")).toContain("held by clerk-reconcile:abc");
    expect(fact("Next run")).toContain("every 5 min");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("raises the webhooks-missing alarm with what to do, from the first missing change", async () => {
    render(() => ({ body: reconcileReport({ webhooks_missing: { since: "2026-11-22T09:15:00Z", detected_at: "2026-11-22T09:30:00Z", kinds: ["organizations", "users.deleted"], repaired: 7 } }) }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Webhooks are missing");
    expect(alert.textContent).toContain("7 changes (organizations, users deletions)");
    expect(alert.textContent).toContain("It has already repaired the data");
    expect(alert.textContent).toMatch(/Check the endpoint in Clerk's dashboard/);
    expect(alert.textContent).toMatch(/recover the failed messages from/);
  });

  it("says the reconcile is not scheduled yet, and how to schedule it", async () => {
    render(() => ({ body: { generated_at: "2026-11-22T12:00:00Z", webhooks_missing: null } }));
    expect((await screen.findByText(/No reconcile step has run yet/)).textContent).toContain("pg_cron and pg_net");
  });

  it("says a database without the reconcile has none, and is no error", async () => {
    render(() => ({ status: 404, body: { code: "PGRST202", message: "Could not find the function public.sync_reconcile_report" } }));
    expect(await screen.findByText(/This database has no reconcile yet/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says when its status could not be loaded, and tries again on request", async () => {
    let calls = 0;
    render(() => (++calls === 1 ? { status: 500, body: { code: "XX000", message: "database down" } } : { body: reconcileReport() }));
    expect((await screen.findByText(/could not be loaded/)).textContent).toContain("database down");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Last step")).toBeTruthy();
  });
});

import { describe, expect, it } from "vitest";
import type { KindReport } from "../../scripts/ops/backfill.ts";
import { loadOperatorConfig } from "../../scripts/ops/config.ts";
import { interval } from "../../scripts/ops/prune-ledger.ts";
import { formatReports } from "../../scripts/ops/report.ts";

describe("prune-ledger durations", () => {
  it.each([["30d", "30 days"], ["12h", "12 hours"], ["90m", "90 minutes"], ["2w", "2 weeks"]])("reads %s as %s", (value, expected) => {
    expect(interval(value, "--older-than")).toBe(expected);
  });
  it.each(["30", "d", "-1d", "1y", "1.5d"])("refuses %s", (value) => {
    expect(() => interval(value, "--older-than")).toThrow(/--older-than takes a number and a unit/);
  });
});

describe("the operator configuration", () => {
  const deployed = { SUPABASE_URL: "https://abc.supabase.co", SUPABASE_SERVICE_ROLE_KEY: "service-key" };

  it("uses SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY when both are set, and Clerk's API by default", async () => {
    expect(await loadOperatorConfig({ ...deployed, CLERK_SECRET_KEY: " sk_live_x " })).toEqual({
      supabaseUrl: "https://abc.supabase.co",
      serviceRoleKey: "service-key",
      clerkSecretKey: "sk_live_x",
      clerkApiUrl: "https://api.clerk.com",
    });
  });

  it.each([
    ["SUPABASE_SERVICE_ROLE_KEY", { SUPABASE_URL: deployed.SUPABASE_URL }],
    ["SUPABASE_URL", { SUPABASE_SERVICE_ROLE_KEY: deployed.SUPABASE_SERVICE_ROLE_KEY }],
  ])("refuses half a deployment: names the missing %s", async (missing, env) => {
    await expect(loadOperatorConfig(env)).rejects.toThrow(`${missing} is not set`);
  });
});

describe("the reconcile summary", () => {
  const report = (kind: KindReport["kind"], fields: Partial<KindReport>): KindReport => ({
    kind, inClerk: 0, here: 0, missing: 0, outdated: 0, tombstonedHere: 0, gone: 0, unchanged: 0,
    outcomes: { applied: 0, stale: 0, duplicate: 0, ignored: 0, failed: 0 }, invalid: [], ...fields,
  });

  it("prints one line per kind, every refused object, and what was done", () => {
    const text = formatReports("reconcile", [
      report("users", { inClerk: 10, here: 9, missing: 1, outdated: 2, gone: 1, unchanged: 7, outcomes: { applied: 3, stale: 1, duplicate: 0, ignored: 0, failed: 0 }, invalid: [{ id: "user_bad", error: "data.first_name must be a string or null" }] }),
    ]);
    expect(text.split("\n")).toEqual([
      "       in Clerk  here  missing  outdated  revive  gone  same  applied  stale  duplicate  failed  invalid",
      "users        10     9        1         2       0     1     7        3      1          0       0        1",
      "  ✗ users user_bad: data.first_name must be a string or null",
      "Upserted 3 and tombstoned 1. A stale outcome means a newer webhook had already written the row.",
    ]);
  });

  it("says a dry run changed nothing, without outcome columns", () => {
    const text = formatReports("reconcile", [report("memberships", { inClerk: 2, here: 3, missing: 1, gone: 2, unchanged: 1 })], true);
    expect(text).toContain("Dry run: would upsert 1 and tombstone 2. Nothing was changed.");
    expect(text).not.toContain("applied");
  });
});

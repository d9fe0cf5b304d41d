import { describe, expect, it } from "vitest";
import type { KindSummary } from "../../scripts/ops/backfill.ts";
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
  const report = (kind: KindSummary["kind"], fields: Partial<KindSummary>): KindSummary => ({
    kind, read: 0, upserted: [], unchanged: 0, checked: 0, tombstoned: [],
    outcomes: { applied: 0, stale: 0, duplicate: 0, ignored: 0, failed: 0 }, invalid: [], ...fields,
  });

  it("prints one line per kind, every refused object, and what was done", () => {
    const text = formatReports("reconcile", [
      report("users", { read: 10, upserted: ["user_a", "user_b", "user_c"], unchanged: 7, checked: 9, tombstoned: ["user_gone"], outcomes: { applied: 3, stale: 1, duplicate: 0, ignored: 0, failed: 0 }, invalid: [{ id: "user_bad", error: "data.first_name must be a string or null" }] }),
    ]);
    expect(text.split("\n")).toEqual([
      "       in Clerk  upserted  same  checked  tombstoned  applied  stale  duplicate  failed  invalid",
      "users        10         3     7        9           1        3      1          0       0        1",
      "  ✗ users user_bad: data.first_name must be a string or null",
      'Upserted 3 and tombstoned 1. "same" counts objects already here, or older than a webhook that won.',
    ]);
  });

  it("lists every id a dry run would change, and says it changed nothing, without outcome columns", () => {
    const text = formatReports("reconcile", [report("memberships", { read: 2, upserted: ["orgmem_new"], tombstoned: ["orgmem_a", "orgmem_b"], checked: 3, unchanged: 1 })], true);
    expect(text).toContain("  would upsert     memberships orgmem_new");
    expect(text).toContain("  would tombstone  memberships orgmem_b");
    expect(text).toContain("Dry run: would upsert 1 and tombstone 2. Nothing was changed.");
    expect(text).not.toContain("applied");
  });
});

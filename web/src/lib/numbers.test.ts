import { describe, expect, it } from "vitest";
import { niceTicks } from "../pages/admin/EventsChart.tsx";
import { formatBytes, formatDuration, formatLag } from "./numbers.ts";
import { roleLabel } from "./roles.ts";

describe("formatting for the health page", () => {
  it.each([
    [0, "0 s"],
    [59.4, "59 s"],
    [60, "1 min"],
    [3599, "59 min"],
    [3600, "1 h"],
    [7_500, "2 h 5 min"],
    [86_400, "1 d"],
    [93_600, "1 d 2 h"],
  ])("says %d seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("gives lags the precision they need, and keeps the sign of a clock skew", () => {
    expect([0.214, 3.14, 42, 150, -0.5].map(formatLag)).toEqual(["0.21 s", "3.1 s", "42 s", "2 min", "−0.50 s"]);
  });

  it("counts bytes in powers of 1000", () => {
    expect([512, 123_456, 2_345_678, 10_000_000_000].map(formatBytes)).toEqual(["512 B", "123 kB", "2.3 MB", "10.0 GB"]);
  });

  it("puts the chart's scale on round steps that reach the busiest bar", () => {
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(14)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });

  it("names Clerk roles for people", () => {
    expect(["org:admin", "org:member", "org:billing_manager", null].map(roleLabel)).toEqual(["Admin", "Member", "Billing manager", "Member"]);
  });
});

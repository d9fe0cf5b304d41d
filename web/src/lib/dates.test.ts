import { describe, expect, it } from "vitest";
import { earliestBirthday } from "../pages/me/validation.ts";
import { formatCalendarDate, formatMonthYear, formatTimestamp } from "./dates.ts";

describe("dates", () => {
  it("writes every kind of date the same way: day, month in words, year", () => {
    expect(formatCalendarDate("1985-07-14")).toBe("14 July 1985");
    expect(formatCalendarDate(earliestBirthday)).toBe("1 January 1900");
    expect(formatMonthYear("2026-03-27T12:00:00Z")).toBe("March 2026");
    const now = new Date("2026-11-22T12:00:00");
    expect(formatTimestamp("2026-11-21T14:03:09", now)).toBe("21 November 2026, 14:03:09");
    expect(formatTimestamp("2026-11-22T14:03:09", now)).toBe("14:03:09");
  });
});

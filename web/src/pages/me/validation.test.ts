import { describe, expect, it } from "vitest";
import { fieldOfDatabaseError, patchFrom, validateProfileForm } from "./validation.ts";

const rules = { today: "2026-11-22", countryCodes: new Set(["SE", "GB"]) };
const valid = { bio: "Hello", birthday: "1990-05-17", birthdayPublic: true, country: "SE" };

describe("validateProfileForm", () => {
  it("accepts what the database accepts, at its limits", () => {
    expect(validateProfileForm(valid, rules)).toEqual({});
    expect(validateProfileForm({ ...valid, bio: "a".repeat(500), birthday: "1900-01-01" }, rules)).toEqual({});
    expect(validateProfileForm({ ...valid, birthday: "2026-11-22" }, rules)).toEqual({});
    expect(validateProfileForm({ bio: "", birthday: "", birthdayPublic: false, country: "" }, rules)).toEqual({});
  });

  it("refuses one past each limit", () => {
    expect(validateProfileForm({ ...valid, bio: "a".repeat(501) }, rules).bio).toBeDefined();
    expect(validateProfileForm({ ...valid, birthday: "1899-12-31" }, rules).birthday).toBeDefined();
    expect(validateProfileForm({ ...valid, birthday: "2026-11-23" }, rules).birthday).toBeDefined();
    expect(validateProfileForm({ ...valid, birthday: "2001-02-29" }, rules).birthday).toBe("Enter a real date: a day, a month and a year, like 17 May 1990.");
    expect(validateProfileForm({ ...valid, birthday: "-05-17" }, rules).birthday).toBe("Enter a real date: a day, a month and a year, like 17 May 1990.");
    expect(validateProfileForm({ ...valid, country: "ZZ" }, rules).country).toBeDefined();
  });

  it("measures the bio the database stores: trimmed, in characters", () => {
    expect(validateProfileForm({ ...valid, bio: `  ${"a".repeat(500)}  ` }, rules)).toEqual({});
    expect(validateProfileForm({ ...valid, bio: "😀".repeat(500) }, rules)).toEqual({});
  });
});

describe("patchFrom", () => {
  it("sends blanks as nulls", () => {
    expect(patchFrom({ bio: "  ", birthday: "", birthdayPublic: false, country: "" })).toEqual({
      bio: null,
      birthday: null,
      birthday_public: false,
      country: null,
    });
  });
});

describe("fieldOfDatabaseError", () => {
  it("finds the field from the constraint the database names", () => {
    expect(fieldOfDatabaseError({ message: 'violates check constraint "profiles_bio_check"' })).toBe("bio");
    expect(fieldOfDatabaseError({ message: 'insert or update on table "profiles" violates foreign key constraint "profiles_country_fkey"' })).toBe("country");
    expect(fieldOfDatabaseError({ message: "timeout" })).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { sqlLiteral } from "../../supabase/functions/clerk-webhook/database.ts";

// What each case reads back as in PostgreSQL is proven against a real server in
// tests/integration/webhook-database.test.ts; these pin the exact text.
describe("sqlLiteral", () => {
  it("quotes plain text", () => {
    expect(sqlLiteral('{"a":1}')).toBe(`'{"a":1}'`);
  });

  it("doubles every quote, so no quote can end the literal", () => {
    expect(sqlLiteral(`O'Brien'); drop table profiles; --`)).toBe(`'O''Brien''); drop table profiles; --'`);
  });

  it("writes an E'' literal with doubled backslashes when there is a backslash, as quote_literal does", () => {
    expect(sqlLiteral(String.raw`{"a":"\"x\\"}`)).toBe(String.raw`E'{"a":"\\"x\\\\"}'`);
    expect(sqlLiteral(String.raw`\'`)).toBe(String.raw`E'\\'''`);
  });

  it("leaves dollar quotes, semicolons and any other character alone", () => {
    expect(sqlLiteral("$$; $tag$ 💥 é")).toBe("'$$; $tag$ 💥 é'");
  });

  it("refuses a NUL, which no PostgreSQL text can hold", () => {
    expect(() => sqlLiteral("a\0b")).toThrow(/NUL/);
  });
});

/**
 * public.profile_feed's search, folded for accents by private.fold_accents, and
 * public.profile_feed_count, the feed's total.
 */
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apply, at, clerkId, useDatabase, userDeleted, userUpserted } from "./support/events.ts";

const db = useDatabase();

/** A word no other test's profile has: letters only, so the search takes it as one prefix. */
function uniqueWord(): string {
  return Array.from({ length: 10 }, () => String.fromCharCode(97 + randomInt(26))).join("");
}

/** A user synced from Clerk; `country` is the user's own field, written as they would. */
async function signUp({ country, ...fields }: Record<string, unknown>): Promise<string> {
  const id = clerkId("user");
  expect(await apply(db, userUpserted(id, at(1), fields))).toBe("applied");
  if (country) await db.query("update public.profiles set country = $2 where clerk_id = $1", [id, country]);
  return id;
}

async function feed(search: string, country: string | null = null): Promise<string[]> {
  const { rows } = await db.query("select clerk_id from public.profile_feed(search => $1, country => $2)", [search, country]);
  return rows.map((row) => row.clerk_id as string);
}

async function count(search: string | null, country: string | null = null, upTo?: number): Promise<number> {
  const { rows } = await db.query(
    upTo === undefined
      ? "select public.profile_feed_count(search => $1, country => $2) as n"
      : "select public.profile_feed_count(search => $1, country => $2, up_to => $3) as n",
    upTo === undefined ? [search, country] : [search, country, upTo],
  );
  return rows[0].n as number;
}

describe("private.fold_accents", () => {
  it("drops accents and spells out the letters that do not decompose", async () => {
    const { rows } = await db.query("select private.fold_accents($1) as folded", ["Spärck Łukasz Øster Straße Æsir Jesús Dvořák"]);
    expect(rows[0].folded).toBe("Sparck Lukasz Oster Strasse AEsir Jesus Dvorak");
  });
});

describe("public.profile_feed search", () => {
  it("finds Spärck by 'sparck', and Sparck by 'spärck'", async () => {
    const word = uniqueWord();
    const withAccent = await signUp({ first_name: "Karen", last_name: `Spärck ${word}` });
    const without = await signUp({ first_name: "Karen", last_name: `Sparck ${word}` });
    expect((await feed(`sparck ${word}`)).sort()).toEqual([withAccent, without].sort());
    expect((await feed(`SPÄRCK ${word}`)).sort()).toEqual([withAccent, without].sort());
    expect(await feed(`spärcky ${word}`)).toEqual([]);
  });
});

describe("public.profile_feed_count", () => {
  it("counts what the feed shows for a search and a country, live profiles only", async () => {
    const word = uniqueWord();
    const [first, , third] = [
      await signUp({ username: `${word}1`, country: "SE" }),
      await signUp({ username: `${word}2`, country: "SE" }),
      await signUp({ username: `${word}3`, country: "GB" }),
    ];
    expect(await count(word)).toBe(3);
    expect(await count(word, "SE")).toBe((await feed(word, "SE")).length);
    expect(await count(word, "SE")).toBe(2);

    await apply(db, userDeleted(third, at(2)));
    expect(await count(word)).toBe(2);
    expect(await feed(word)).not.toContain(third);
    expect(await feed(word)).toContain(first);
  });

  it("stops at the cap, answering one more than it for 'more than that'", async () => {
    const word = uniqueWord();
    for (let i = 0; i < 4; i++) await signUp({ username: `${word}${i}` });
    expect(await count(word, null, 4)).toBe(4);
    expect(await count(word, null, 3)).toBe(4);
    expect(await count(word, null, 2)).toBe(3);
    // The cap is at most 10,000, whatever is asked.
    expect(await count(null, null, 1_000_000)).toBeLessThanOrEqual(10_001);
  });
});

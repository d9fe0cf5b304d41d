/**
 * private.write_profile and private.tombstone_user through public.apply_clerk_event:
 * the clock guard, ties, and tombstones of profiles.
 */
import { describe, expect, it } from "vitest";
import {
  apply,
  at,
  clerkId,
  ledgerRow,
  rowOf,
  svixId,
  useDatabase,
  userDeleted,
  userUpserted,
} from "./support/events.ts";

const db = useDatabase();

/** The row without synced_at, which records when, not what. */
async function stateOf(id: string) {
  const row = await rowOf(db, "profiles", id);
  if (!row) return undefined;
  const { synced_at: _, clerk_id: __, ...state } = row;
  return state;
}

describe("private.write_profile", () => {
  it("applies an event newer than the row", async () => {
    const id = clerkId("user");
    expect(
      await apply(db, userUpserted(id, at(1), { first_name: "Ada" })),
      "private.write_profile",
    ).toBe("applied");
    expect(
      await apply(db, userUpserted(id, at(2), { first_name: "Grace" })),
      "private.write_profile",
    ).toBe("applied");
    expect(
      (await rowOf(db, "profiles", id))?.first_name,
      "private.write_profile",
    ).toBe("Grace");
  });

  it("answers stale for an event older than the row and changes nothing", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(2), { first_name: "Grace" }));
    const before = await rowOf(db, "profiles", id);
    expect(
      await apply(db, userUpserted(id, at(1), { first_name: "Ada" })),
      "private.write_profile",
    ).toBe("stale");
    expect(await rowOf(db, "profiles", id), "private.write_profile").toEqual(
      before,
    );
  });

  it("breaks a tie of equal timestamps by message id: the larger id wins", async () => {
    const id = clerkId("user");
    expect(
      await apply(db, userUpserted(id, at(5), { first_name: "B" }, "msg_b")),
      "private.write_profile",
    ).toBe("applied");
    expect(
      await apply(db, userUpserted(id, at(5), { first_name: "A" }, "msg_a")),
      "private.write_profile",
    ).toBe("stale");
    expect(
      await apply(db, userUpserted(id, at(5), { first_name: "C" }, "msg_c")),
      "private.write_profile",
    ).toBe("applied");
    expect(
      (await rowOf(db, "profiles", id))?.first_name,
      "private.write_profile",
    ).toBe("C");
  });

  it("ends with the same row whichever order two events of the same millisecond arrive in", async () => {
    const [first, second] = [clerkId("user"), clerkId("user")];
    const events = (id: string) => [
      userUpserted(id, at(7), { first_name: "X" }, `msg_x_${id}`),
      userUpserted(id, at(7), { first_name: "Y" }, `msg_y_${id}`),
    ];
    for (const e of events(first)) await apply(db, e);
    for (const e of events(second).reverse()) await apply(db, e);
    expect(
      (await rowOf(db, "profiles", first))?.first_name,
      "private.write_profile",
    ).toBe("Y");
    expect(
      (await rowOf(db, "profiles", second))?.first_name,
      "private.write_profile",
    ).toBe("Y");
  });

  it("never overwrites the user's own fields", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(1)));
    await db.query(
      "update public.profiles set bio = 'mine', country = 'SE', birthday_public = true where clerk_id = $1",
      [id],
    );
    await apply(db, userUpserted(id, at(2), { first_name: "New" }));
    const row = await rowOf(db, "profiles", id);
    expect(
      [row?.bio, row?.country, row?.birthday_public, row?.first_name],
      "private.write_profile",
    ).toEqual(["mine", "SE", true, "New"]);
  });

  it("stores an absent public_metadata as an empty object", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(1), { public_metadata: null }));
    expect(
      (await rowOf(db, "profiles", id))?.public_metadata,
      "private.write_profile",
    ).toEqual({});
  });

  it("answers a stale event without waiting for the row's lock", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(9)));
    const holder = await db.connect();
    try {
      await holder.query("begin");
      await holder.query(
        "select 1 from public.profiles where clerk_id = $1 for update",
        [id],
      );
      // Were the row's lock taken, this would wait for apply_clerk_event's own
      // lock_timeout (5 s) and fail.
      const started = Date.now();
      expect(
        await apply(db, userUpserted(id, at(1))),
        "private.write_profile",
      ).toBe("stale");
      expect(Date.now() - started, "private.write_profile").toBeLessThan(2000);
    } finally {
      await holder.query("rollback");
      holder.release();
    }
  });
});

describe("private.tombstone_user", () => {
  it("hides a deleted user from public_profiles", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(1)));
    expect(
      await apply(db, userDeleted(id, at(2))),
      "private.tombstone_user",
    ).toBe("applied");
    const { rows } = await db.query(
      "select 1 from public.public_profiles where clerk_id = $1",
      [id],
    );
    expect(rows, "private.tombstone_user").toHaveLength(0);
    expect(
      (await rowOf(db, "profiles", id))?.deleted_at,
      "private.tombstone_user",
    ).toEqual(new Date(at(2)));
  });

  it("forgets every Clerk-owned and user-owned field", async () => {
    const id = clerkId("user");
    await apply(
      db,
      userUpserted(id, at(1), {
        username: "ada",
        public_metadata: { plan: "pro" },
      }),
    );
    await db.query(
      "update public.profiles set bio = 'mine', birthday = '1990-01-01', birthday_public = true, country = 'SE' where clerk_id = $1",
      [id],
    );
    await apply(db, userDeleted(id, at(2)));
    const row = await rowOf(db, "profiles", id);
    expect(row, "private.tombstone_user").toMatchObject({
      username: null,
      first_name: null,
      last_name: null,
      image_url: null,
      email: null,
      public_metadata: {},
      clerk_created_at: null,
      clerk_updated_at: null,
      bio: null,
      birthday: null,
      birthday_public: false,
      country: null,
    });
  });

  it("never lets an update older than the delete bring the user back", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(1)));
    await apply(db, userDeleted(id, at(3)));
    expect(
      await apply(db, userUpserted(id, at(2), { first_name: "Back" })),
      "private.write_profile",
    ).toBe("stale");
    const row = await rowOf(db, "profiles", id);
    expect([row?.deleted_at, row?.first_name], "private.write_profile").toEqual(
      [new Date(at(3)), null],
    );
  });

  it("wins when the delete arrives before the create", async () => {
    const id = clerkId("user");
    expect(
      await apply(db, userDeleted(id, at(2))),
      "private.tombstone_user",
    ).toBe("applied");
    expect(
      await apply(db, userUpserted(id, at(1))),
      "private.write_profile",
    ).toBe("stale");
    expect(
      (await rowOf(db, "profiles", id))?.deleted_at,
      "private.tombstone_user",
    ).toEqual(new Date(at(2)));
  });

  it("leaves the same tombstone whether the delete arrived before or after the create", async () => {
    const [afterCreate, beforeCreate] = [clerkId("user"), clerkId("user")];
    const deletion = svixId("del");
    await apply(db, userUpserted(afterCreate, at(1)));
    await apply(db, userDeleted(afterCreate, at(2), deletion));
    await apply(db, userDeleted(beforeCreate, at(2), deletion + "_2"));
    await apply(db, userUpserted(beforeCreate, at(1)));
    const [a, b] = [await stateOf(afterCreate), await stateOf(beforeCreate)];
    expect({ ...a, event_id: null }, "private.tombstone_user").toEqual({
      ...b,
      event_id: null,
    });
  });

  it("answers stale for a delete older than the row", async () => {
    const id = clerkId("user");
    await apply(db, userUpserted(id, at(5)));
    const e = userDeleted(id, at(4));
    expect(await apply(db, e), "private.tombstone_user").toBe("stale");
    expect(
      (await rowOf(db, "profiles", id))?.deleted_at,
      "private.tombstone_user",
    ).toBeNull();
    expect(
      (await ledgerRow(db, e.svix_id))?.outcome,
      "private.apply_event",
    ).toBe("stale");
  });
});

/**
 * private.apply_event, public.apply_clerk_event and public.apply_clerk_events: the
 * ledger's rules (duplicate, failed, ignored, payloads) and the group.
 */
import { describe, expect, it } from "vitest";
import {
  apply,
  applyGroup,
  at,
  clerkId,
  ledgerRow,
  rowOf,
  svixId,
  useDatabase,
  userUpserted,
  type ApplyEvent,
} from "./support/events.ts";

const db = useDatabase();

describe("private.apply_event", () => {
  it("answers duplicate for the same message id twice and changes nothing", async () => {
    const id = clerkId("user");
    const first = userUpserted(id, at(1), { first_name: "Ada" });
    expect(await apply(db, first), "private.apply_event").toBe("applied");
    const row = await rowOf(db, "profiles", id);
    expect(
      await apply(db, {
        ...userUpserted(id, at(9), { first_name: "Changed" }),
        svix_id: first.svix_id,
      }),
      "private.apply_event",
    ).toBe("duplicate");
    expect(await rowOf(db, "profiles", id), "private.apply_event").toEqual(row);
    expect(
      await ledgerRow(db, first.svix_id),
      "private.apply_event",
    ).toMatchObject({ outcome: "applied", attempts: 1, duplicates: 1 });
  });

  it("records a failing event as failed, with its error and payload, and changes no row", async () => {
    const id = "user_" + "x".repeat(130);
    const e = { ...userUpserted(id, at(1)), keep_payload: false };
    expect(await apply(db, e), "private.apply_event").toBe("failed");
    expect(
      await rowOf(db, "profiles", id),
      "private.apply_event",
    ).toBeUndefined();
    const ledger = await ledgerRow(db, e.svix_id);
    expect(ledger?.error, "private.apply_event").toMatch(/^23514: /);
    expect(ledger?.payload, "private.apply_event").toEqual(e.payload);
  });

  it("processes a failed message again on redelivery, counting the attempt", async () => {
    const id = clerkId("user");
    const broken = userUpserted(id, at(1), { clerk_created_at: "not a time" });
    expect(await apply(db, broken), "private.apply_event").toBe("failed");
    expect(
      await apply(db, { ...userUpserted(id, at(1)), svix_id: broken.svix_id }),
      "private.apply_event",
    ).toBe("applied");
    expect(
      await ledgerRow(db, broken.svix_id),
      "private.apply_event",
    ).toMatchObject({ outcome: "applied", attempts: 2, error: null });
  });

  it("records an event with no change as ignored", async () => {
    const e: ApplyEvent = {
      svix_id: svixId(),
      type: "session.created",
      event_at: at(1),
      object_id: "sess_1",
      instance_id: null,
      payload: null,
      change: null,
    };
    expect(await apply(db, e), "private.apply_event").toBe("ignored");
    expect(
      (await ledgerRow(db, e.svix_id))?.outcome,
      "private.apply_event",
    ).toBe("ignored");
  });

  it("drops the payload of a settled event when keep_payload is false, and keeps it by default", async () => {
    const dropped = {
      ...userUpserted(clerkId("user"), at(1)),
      keep_payload: false,
    };
    const kept = userUpserted(clerkId("user"), at(1));
    await apply(db, dropped);
    await apply(db, kept);
    expect(
      (await ledgerRow(db, dropped.svix_id))?.payload,
      "private.apply_event",
    ).toBeNull();
    expect(
      (await ledgerRow(db, kept.svix_id))?.payload,
      "private.apply_event",
    ).toEqual(kept.payload);
  });

  it("records an unknown change as failed, naming it in the error", async () => {
    const e = {
      ...userUpserted(clerkId("user"), at(1)),
      change: { table: "secrets", op: "upsert", row: {} },
    } as unknown as ApplyEvent;
    expect(await apply(db, e), "private.apply_change").toBe("failed");
    expect(
      (await ledgerRow(db, e.svix_id))?.error,
      "private.apply_change",
    ).toBe("22023: apply_clerk_event: unknown change secrets.upsert");
  });

  it("raises when svix_id, type or event_at is missing", async () => {
    const e = {
      ...userUpserted(clerkId("user"), at(1)),
      event_at: null,
    } as unknown as ApplyEvent;
    await expect(apply(db, e), "private.apply_event").rejects.toThrow(
      /svix_id, type and event_at are required/,
    );
  });
});

describe("public.apply_clerk_events", () => {
  it("answers each event of a group in input order, one failure failing no other", async () => {
    const [a, b] = [clerkId("user"), clerkId("user")];
    // Applied in (object_id, svix_id) order: for user a, msg_1 (the newer) comes first.
    const events = [
      userUpserted(a, at(1), {}, svixId("1")),
      userUpserted("user_" + "y".repeat(130), at(1)),
      userUpserted(b, at(1)),
      userUpserted(a, at(0), {}, svixId("2")),
    ];
    expect(await applyGroup(db, events), "public.apply_clerk_events").toEqual([
      "applied",
      "failed",
      "applied",
      "stale",
    ]);
    expect(
      (await rowOf(db, "profiles", b))?.deleted_at,
      "public.apply_clerk_events",
    ).toBeNull();
  });

  it("answers duplicate for the same message twice in one group", async () => {
    const e = userUpserted(clerkId("user"), at(1));
    expect(await applyGroup(db, [e, e]), "public.apply_clerk_events").toEqual([
      "applied",
      "duplicate",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import { changeForEvent, eventClock, ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { primaryEmail, profileFromUser } from "../../supabase/functions/_shared/mappers.ts";
import { storableJson, storableText } from "../../supabase/functions/_shared/text.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";

const user = userJSON({ id: "user_2NNEqL2nrIRdJ194ndJqAHwEfxC", firstName: "Ada", lastName: "Lovelace", username: "ada", email: "ada@example.com", createdAt: Date.UTC(2026, 0, 2), publicMetadata: { team: "core" } });

describe("profileFromUser", () => {
  it("maps the Clerk-owned columns of a user", () => {
    expect(profileFromUser(user)).toEqual({
      clerk_id: "user_2NNEqL2nrIRdJ194ndJqAHwEfxC",
      username: "ada",
      first_name: "Ada",
      last_name: "Lovelace",
      image_url: user.image_url,
      email: "ada@example.com",
      public_metadata: { team: "core" },
      clerk_created_at: "2026-01-02T00:00:00.000Z",
      clerk_updated_at: "2026-01-02T00:00:00.000Z",
    });
  });

  it("never copies private or unsafe metadata", () => {
    const row = profileFromUser({ ...user, private_metadata: { ssn: "123" }, unsafe_metadata: { x: 1 } });
    expect(JSON.stringify(row)).not.toContain("ssn");
    expect(Object.keys(row)).not.toContain("unsafe_metadata");
  });

  it.each([
    ["data is an array", []],
    ["data is null", null],
    ["id is missing", { ...user, id: undefined }],
    ["id is a number", { ...user, id: 42 }],
    ["id is empty", { ...user, id: "" }],
    ["id is longer than 128 characters", { ...user, id: `user_${"x".repeat(124)}` }],
    ["first_name is a number", { ...user, first_name: 7 }],
    ["public_metadata is an array", { ...user, public_metadata: [1] }],
    ["email_addresses is an object", { ...user, email_addresses: { id: "x" } }],
    ["created_at is a string", { ...user, created_at: "yesterday" }],
  ])("rejects a user whose %s", (_, data) => {
    expect(() => profileFromUser(data)).toThrow(InvalidEventError);
  });

  it("keeps null names as null", () => {
    expect(profileFromUser({ ...user, first_name: null, last_name: null, username: null })).toMatchObject({ first_name: null, last_name: null, username: null });
  });
});

describe("primaryEmail", () => {
  const addresses = [
    { id: "idn_old", email_address: "old@example.com" },
    { id: "idn_new", email_address: "new@example.com" },
  ];
  it.each([
    ["the entry named by primary_email_address_id, not the first", { primary_email_address_id: "idn_new", email_addresses: addresses }, "new@example.com"],
    ["null when there is no primary id", { primary_email_address_id: null, email_addresses: addresses }, null],
    ["null when the primary id matches no entry", { primary_email_address_id: "idn_gone", email_addresses: addresses }, null],
    ["null when there are no addresses", { primary_email_address_id: "idn_new", email_addresses: [] }, null],
  ])("is %s", (_, data, expected) => {
    expect(primaryEmail(data)).toBe(expected);
  });
});

describe("eventClock", () => {
  it("is the envelope timestamp (ms), not data.updated_at", () => {
    const event = parseEnvelope(envelope("user.updated", { ...user, updated_at: 1000 }, Date.UTC(2026, 5, 1, 12, 0, 0, 123)));
    expect(eventClock(event)).toBe("2026-06-01T12:00:00.123Z");
  });
  it("falls back to data.updated_at without a timestamp", () => {
    const { timestamp: _, ...noTimestamp } = envelope("user.updated", { ...user, updated_at: Date.UTC(2026, 1, 1) });
    expect(eventClock(parseEnvelope(noTimestamp))).toBe("2026-02-01T00:00:00.000Z");
  });
  it("is null when the event has neither", () => {
    expect(eventClock(parseEnvelope({ type: "user.deleted", data: { id: "user_1", deleted: true } }))).toBeNull();
  });
  it("rejects a timestamp that is not a number, naming the envelope's field", () => {
    expect(() => eventClock(parseEnvelope({ type: "user.updated", timestamp: "soon", data: {} }))).toThrow(/^timestamp must be Unix milliseconds/);
  });
});

describe("parseEnvelope", () => {
  it.each([
    ["a JSON array", []],
    ["a string", "user.created"],
    ["no type", { data: {} }],
    ["an empty type", { type: "", data: {} }],
    ["a numeric type", { type: 5, data: {} }],
    ["no data", { type: "user.created" }],
    ["data as an array", { type: "user.created", data: [] }],
  ])("rejects %s", (_, body) => {
    expect(() => parseEnvelope(body)).toThrow(InvalidEventError);
  });
});

describe("changeForEvent", () => {
  it.each([
    ["user.created", { table: "profiles", op: "upsert" }],
    ["user.updated", { table: "profiles", op: "upsert" }],
  ])("routes %s to an upsert of profiles", (type, expected) => {
    expect(changeForEvent(parseEnvelope(envelope(type, user)))).toMatchObject(expected);
  });
  it("routes user.deleted to a tombstone", () => {
    const change = changeForEvent(parseEnvelope(envelope("user.deleted", { object: "user", id: "user_1", deleted: true })));
    expect(change).toEqual({ table: "profiles", op: "tombstone", row: { clerk_id: "user_1" } });
  });
  it.each(["session.created", "email.created", "some.future_type"])("ignores %s", (type) => {
    expect(changeForEvent(parseEnvelope(envelope(type, { id: "x" })))).toBeNull();
  });
});

describe("ledgerEvent", () => {
  const receivedAt = new Date(Date.UTC(2026, 10, 22));
  it("carries the message id, clock, object and instance", () => {
    const event = ledgerEvent("msg_1", parseEnvelope(envelope("user.created", user, Date.UTC(2026, 0, 3), "ins_abc")), receivedAt);
    expect(event).toMatchObject({ svix_id: "msg_1", type: "user.created", event_at: "2026-01-03T00:00:00.000Z", object_id: user.id, instance_id: "ins_abc" });
  });
  it("drops private_metadata and the end user's IP from the stored payload", () => {
    const event = ledgerEvent("msg_1", parseEnvelope(envelope("user.created", user)), receivedAt);
    const stored = JSON.stringify(event.payload);
    expect(stored).not.toContain("private_metadata");
    expect(stored).not.toContain("203.0.113.7");
    expect(stored).toContain("ada@example.com");
  });
  it("clocks an unknown type without a clock at its receipt", () => {
    const event = ledgerEvent("msg_1", parseEnvelope({ type: "brand.new", data: {} }), receivedAt);
    expect(event).toMatchObject({ event_at: receivedAt.toISOString(), change: null });
  });
  it("rejects a known type without a clock", () => {
    expect(() => ledgerEvent("msg_1", parseEnvelope({ type: "user.deleted", data: { id: "user_1" } }), receivedAt)).toThrow(/neither timestamp/);
  });
});

describe("storableText", () => {
  it.each([
    ["plain text", "Ada Lovelace", "Ada Lovelace"],
    ["emoji and accents", "Zoë 👩🏽‍💻", "Zoë 👩🏽‍💻"],
    ["NUL", "a\u0000b", "a\uFFFDb"],
    ["a lone high surrogate", "x\uD800y", "x\uFFFDy"],
    ["a lone low surrogate", "\uDC00", "\uFFFD"],
  ])("stores %s", (_, input, expected) => {
    expect(storableText(input)).toBe(expected);
  });
  it("cleans keys and nested values", () => {
    expect(storableJson({ "k\u0000": ["\uD800", { n: 1 }] })).toEqual({ "k\uFFFD": ["\uFFFD", { n: 1 }] });
  });
});

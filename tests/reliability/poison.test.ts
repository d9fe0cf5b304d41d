/**
 * Signed events that used to fail the same way on every retry (so Svix retried them for
 * 27 hours and the event never landed), found by the hostile corpus. Each is now a
 * definite answer. The end-to-end versions are in hostile.test.ts.
 */
import { describe, expect, it } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { InvalidEventError } from "../../supabase/functions/_shared/errors.ts";
import { ledgerEvent, parseEnvelope } from "../../supabase/functions/_shared/events.ts";
import { createWebhookHandler } from "../../supabase/functions/clerk-webhook/handler.ts";
import { optionalMillis } from "../../supabase/functions/_shared/mappers.ts";
import { maxJsonDepth, storableJson } from "../../supabase/functions/_shared/text.ts";

const nested = (depth: number): unknown => JSON.parse("[".repeat(depth) + "]".repeat(depth));

describe("deeply nested JSON", () => {
  it(`is stored up to ${maxJsonDepth} levels and refused as an invalid event beyond`, () => {
    expect(storableJson(nested(maxJsonDepth))).toEqual(nested(maxJsonDepth));
    expect(() => storableJson(nested(maxJsonDepth + 1))).toThrow(InvalidEventError);
    // Before the fix: RangeError (500, retried) from a few thousand levels on.
    expect(() => storableJson(nested(100_000))).toThrow(InvalidEventError);
  });

  it("in unsafe_metadata, which end users write from the browser, does not stop their sync", () => {
    const user = { ...userJSON(), unsafe_metadata: { x: nested(5000) } };
    const event = ledgerEvent("msg_1", parseEnvelope(envelope("user.updated", user)), new Date());
    expect(event.change?.op).toBe("upsert");
    expect(event.payload.data).not.toHaveProperty("unsafe_metadata");
    expect(event.payload.data).not.toHaveProperty("private_metadata");
  });
});

describe("times PostgreSQL cannot parse", () => {
  it.each([
    ["year 275760 (the largest JavaScript date)", 8.64e15],
    ["year -271821", -8.64e15],
    ["year 10000", Date.UTC(10000, 0, 1)],
    ["the last millisecond of year 0", Date.parse("0001-01-01T00:00:00Z") - 1],
  ])("%s is refused as an invalid event, not sent to the database", (_, millis) => {
    expect(() => optionalMillis({ timestamp: millis }, "timestamp")).toThrow(/between the years 1 and 9999/);
  });

  it.each([
    ["0001-01-01T00:00:00.000Z", Date.parse("0001-01-01T00:00:00Z")],
    ["9999-12-31T23:59:59.999Z", Date.parse("9999-12-31T23:59:59.999Z")],
  ])("%s is still accepted", (iso, millis) => {
    expect(optionalMillis({ t: millis }, "t")).toBe(iso);
  });
});

describe("the HTTP answer to a signed event that can never be read", () => {
  const handler = (id: string) =>
    createWebhookHandler({
      verify: () => ({ id, timestamp: 0 }),
      apply: async () => "applied",
      maxBodyBytes: 1 << 20,
      instanceId: null,
      log: () => {},
    });
  const request = (body: string) => new Request("http://fn/", { method: "POST", body });

  it("is 400 with webhook-delivery: abort-message, so Svix stops retrying", async () => {
    const response = await handler("msg_1")(request(JSON.stringify({ type: "user.created", data: { id: 42 } })));
    expect(response.status).toBe(400);
    expect(response.headers.get("webhook-delivery")).toBe("abort-message");
  });

  it("a svix-id over 256 characters is refused before it reaches the ledger's primary key", async () => {
    const response = await handler(`msg_${"x".repeat(3000)}`)(request(JSON.stringify(envelope("user.created", userJSON()))));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid event: svix-id is longer than 256 characters" });
    expect(response.headers.get("webhook-delivery")).toBe("abort-message");
    expect((await handler(`msg_${"x".repeat(252)}`)(request(JSON.stringify(envelope("user.created", userJSON()))))).status).toBe(200);
  });
});

import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { WebhookRequestError } from "../../supabase/functions/clerk-webhook/errors.ts";
import { createDeliveryVerifier } from "../../supabase/functions/clerk-webhook/verify.ts";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const otherSecret = "whsec_b3RoZXItc2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==";
const body = JSON.stringify({ type: "user.created", data: { id: "user_1" } });
const verify = createDeliveryVerifier([secret]);

function headers(overrides: Record<string, string | null> = {}, at = new Date(), signWith = secret) {
  const id = "msg_2abc";
  const base: Record<string, string | null> = {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new SvixWebhook(signWith).sign(id, at, body),
    ...overrides,
  };
  return new Headers(Object.entries(base).filter(([, v]) => v !== null) as [string, string][]);
}

function rejection(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookRequestError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("createDeliveryVerifier", () => {
  it("accepts a delivery signed by svix, and returns its id and timestamp", () => {
    const at = new Date();
    expect(verify(body, headers({}, at))).toEqual({ id: "msg_2abc", timestamp: Math.floor(at.getTime() / 1000) });
  });

  it("accepts the Standard Webhooks header names", () => {
    const svix = headers();
    const standard = new Headers({
      "webhook-id": svix.get("svix-id")!,
      "webhook-timestamp": svix.get("svix-timestamp")!,
      "webhook-signature": svix.get("svix-signature")!,
    });
    expect(verify(body, standard).id).toBe("msg_2abc");
  });

  it("accepts a signature header holding several signatures, one valid", () => {
    const valid = headers().get("svix-signature")!;
    expect(verify(body, headers({ "svix-signature": `v1,bm90LWl0 ${valid} v1,YWxzby1ub3Q=` })).id).toBe("msg_2abc");
  });

  it("accepts either secret during a rotation", () => {
    const rotating = createDeliveryVerifier([otherSecret, secret]);
    expect(rotating(body, headers({}, new Date(), secret)).id).toBe("msg_2abc");
    expect(rotating(body, headers({}, new Date(), otherSecret)).id).toBe("msg_2abc");
  });

  it.each([
    ["svix-id is missing", { "svix-id": null }, "missing svix-id header"],
    ["svix-timestamp is missing", { "svix-timestamp": null }, "missing svix-timestamp header"],
    ["svix-signature is missing", { "svix-signature": null }, "missing svix-signature header"],
    ["svix-id is empty", { "svix-id": "" }, "missing svix-id header"],
    ["the timestamp is not an integer", { "svix-timestamp": "1700000000.5" }, "svix-timestamp is not a Unix time in seconds"],
    ["the timestamp has trailing letters", { "svix-timestamp": "1700000000abc" }, "svix-timestamp is not a Unix time in seconds"],
    ["the signature is truncated", { "svix-signature": "v1,abc" }, "no matching signature: check CLERK_WEBHOOK_SIGNING_SECRET"],
    ["the signature has version v2", { "svix-signature": "v2,abc" }, "no matching signature: check CLERK_WEBHOOK_SIGNING_SECRET"],
  ])("rejects a delivery where %s", (_, overrides, message) => {
    expect(rejection(() => verify(body, headers(overrides)))).toEqual({ status: 400, message });
  });

  it("rejects a valid signature under the wrong version prefix", () => {
    const signature = headers().get("svix-signature")!.replace(/^v1,/, "v1a,");
    expect(rejection(() => verify(body, headers({ "svix-signature": signature }))).message).toMatch(/no matching signature/);
  });

  it("rejects a delivery signed with another secret", () => {
    expect(rejection(() => verify(body, headers({}, new Date(), otherSecret))).message).toMatch(/no matching signature/);
  });

  it("rejects a body changed by one byte after signing", () => {
    expect(rejection(() => verify(body.replace("user_1", "user_2"), headers())).message).toMatch(/no matching signature/);
  });

  it.each([
    ["10 minutes old", -600],
    ["10 minutes in the future", 600],
  ])("rejects a timestamp %s", (_, offsetSeconds) => {
    const at = new Date(Date.now() + offsetSeconds * 1000);
    expect(rejection(() => verify(body, headers({}, at)))).toEqual({
      status: 400,
      message: "svix-timestamp is outside the 5-minute tolerance: check the server clock",
    });
  });
});

import { Webhook } from "svix";
import { describe, expect, it } from "vitest";
import { svixSignature } from "../../scripts/bench/signing.ts";

describe("svixSignature (the load generator's signer)", () => {
  it("signs exactly as the svix library does", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const at = new Date(1_764_000_000_000);
    const body = JSON.stringify({ type: "user.created", data: { id: "user_1", name: "Zoë" } });
    expect(svixSignature(secret, "msg_1", Math.floor(at.getTime() / 1000), body)).toBe(new Webhook(secret).sign("msg_1", at, body));
  });
});

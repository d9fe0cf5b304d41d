import { describe, expect, it } from "vitest";
import { loadWebhookConfig, parseSigningSecrets } from "../../supabase/functions/clerk-webhook/config.ts";
import { ConfigError } from "../../supabase/functions/_shared/env.ts";

const base = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_SERVICE_ROLE_KEY: "service-key",
  CLERK_WEBHOOK_SIGNING_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};
const load = (env: Record<string, string | undefined>) => loadWebhookConfig((name) => env[name]);

describe("loadWebhookConfig", () => {
  it("reads the settings, with defaults", () => {
    expect(load(base)).toEqual({
      supabaseUrl: "http://127.0.0.1:54321",
      serviceRoleKey: "service-key",
      signingSecrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      instanceId: null,
      maxBodyBytes: 1048576,
      databaseTimeoutMs: 10000,
      ledgerPayloads: "all",
      maxGroup: 64,
    });
  });

  it.each(["SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "CLERK_WEBHOOK_SIGNING_SECRET"])("fails loudly, naming %s, when it is missing", (name) => {
    expect(() => load({ ...base, [name]: undefined })).toThrow(new ConfigError(`${name} is not set.`));
  });

  it.each([
    ["WEBHOOK_MAX_BODY_BYTES", "lots", /WEBHOOK_MAX_BODY_BYTES must be a positive integer/],
    ["WEBHOOK_DB_TIMEOUT_MS", "-5", /WEBHOOK_DB_TIMEOUT_MS must be a positive integer/],
    ["LEDGER_PAYLOADS", "some", /LEDGER_PAYLOADS must be one of all, failed/],
    ["WEBHOOK_MAX_GROUP", "0", /WEBHOOK_MAX_GROUP must be a positive integer/],
  ])("refuses %s=%s", (name, value, message) => {
    expect(() => load({ ...base, [name]: value })).toThrow(message);
  });

  it("reads the optional settings", () => {
    expect(load({ ...base, CLERK_INSTANCE_ID: " ins_123 ", WEBHOOK_MAX_BODY_BYTES: "2048", LEDGER_PAYLOADS: "failed" }))
      .toMatchObject({ instanceId: "ins_123", maxBodyBytes: 2048, ledgerPayloads: "failed" });
  });
});

describe("parseSigningSecrets", () => {
  it.each([
    ["one secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1],
    ["two, space-separated", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_b3RoZXItc2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==", 2],
    ["two, comma-separated", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_b3RoZXItc2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==", 2],
    ["two, comma and spaces", " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ,  whsec_b3RoZXItc2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ== ", 2],
  ])("reads %s", (_, value, count) => {
    expect(parseSigningSecrets(value)).toHaveLength(count);
  });

  it.each([
    ["an empty value", " , ", /is empty/],
    ["a secret that is not base64", "whsec_not base64!", /entry 1 is not a signing secret/],
    ["a short second secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_abc", /entry 2 is not a signing secret/],
  ])("refuses %s", (_, value, message) => {
    expect(() => parseSigningSecrets(value)).toThrow(message);
  });
});

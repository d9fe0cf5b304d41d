import { describe, expect, it } from "vitest";
import { loadWebhookConfig, parseSigningSecrets } from "../../supabase/functions/clerk-webhook/config.ts";
import { ConfigError } from "../../supabase/functions/_shared/env.ts";

const base = {
  CLERK_WEBHOOK_DB_URL: "postgres://clerk_webhook:pw@127.0.0.1:54322/postgres",
  CLERK_WEBHOOK_SIGNING_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};
const load = (env: Record<string, string | undefined>) => loadWebhookConfig((name) => env[name]);

describe("loadWebhookConfig", () => {
  it("reads the settings, with defaults", () => {
    expect(load(base)).toEqual({
      databaseUrl: "postgres://clerk_webhook:pw@127.0.0.1:54322/postgres",
      databaseMode: "direct",
      databasePoolSize: 2,
      signingSecrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      instanceId: null,
      maxBodyBytes: 1048576,
      databaseTimeoutMs: 10000,
      ledgerPayloads: "all",
      maxGroup: 64,
      groupsInFlight: 1,
    });
  });

  it("fails loudly, naming CLERK_WEBHOOK_SIGNING_SECRET, when it is missing", () => {
    expect(() => load({ ...base, CLERK_WEBHOOK_SIGNING_SECRET: undefined })).toThrow(new ConfigError("CLERK_WEBHOOK_SIGNING_SECRET is not set."));
  });

  it("refuses to start without CLERK_WEBHOOK_DB_URL, and says what it is; SUPABASE_DB_URL (the superuser) is never a fallback", () => {
    for (const missing of [undefined, "  "]) {
      expect(() => load({ ...base, CLERK_WEBHOOK_DB_URL: missing, SUPABASE_DB_URL: "postgres://postgres:pw@db:5432/postgres" }))
        .toThrow(new ConfigError("CLERK_WEBHOOK_DB_URL is not set: the clerk_webhook role's Postgres URL; docs/operations.md shows how to set it."));
    }
  });

  it("talks to the transaction pooler (port 6543) in pooler mode, and to anything else directly, unless told", () => {
    const pooler = "postgres://clerk_webhook.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres";
    const session = "postgres://clerk_webhook.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres";
    expect(load({ ...base, CLERK_WEBHOOK_DB_URL: pooler }).databaseMode).toBe("pooler");
    expect(load({ ...base, CLERK_WEBHOOK_DB_URL: session }).databaseMode).toBe("direct");
    expect(load({ ...base, CLERK_WEBHOOK_DB_URL: session, CLERK_WEBHOOK_DB_MODE: "pooler" }).databaseMode).toBe("pooler");
    expect(load({ ...base, CLERK_WEBHOOK_DB_URL: pooler, CLERK_WEBHOOK_DB_MODE: "direct" }).databaseMode).toBe("direct");
  });

  it("keeps one connection more than groups in flight, unless told", () => {
    expect(load({ ...base, WEBHOOK_GROUPS_IN_FLIGHT: "3" })).toMatchObject({ groupsInFlight: 3, databasePoolSize: 4 });
    expect(load({ ...base, WEBHOOK_GROUPS_IN_FLIGHT: "3", CLERK_WEBHOOK_DB_POOL: "2" })).toMatchObject({ groupsInFlight: 3, databasePoolSize: 2 });
  });

  it("refuses a CLERK_WEBHOOK_DB_URL that is not a URL", () => {
    expect(() => load({ ...base, CLERK_WEBHOOK_DB_URL: "clerk_webhook@db" })).toThrow(/CLERK_WEBHOOK_DB_URL is not a URL/);
  });

  it.each([
    ["WEBHOOK_MAX_BODY_BYTES", "lots", /WEBHOOK_MAX_BODY_BYTES must be a positive integer/],
    ["WEBHOOK_DB_TIMEOUT_MS", "-5", /WEBHOOK_DB_TIMEOUT_MS must be a positive integer/],
    ["LEDGER_PAYLOADS", "some", /LEDGER_PAYLOADS must be one of all, failed/],
    ["WEBHOOK_MAX_GROUP", "0", /WEBHOOK_MAX_GROUP must be a positive integer/],
    ["CLERK_WEBHOOK_DB_MODE", "session", /CLERK_WEBHOOK_DB_MODE must be one of direct, pooler/],
    ["CLERK_WEBHOOK_DB_POOL", "0", /CLERK_WEBHOOK_DB_POOL must be a positive integer/],
    ["WEBHOOK_GROUPS_IN_FLIGHT", "none", /WEBHOOK_GROUPS_IN_FLIGHT must be a positive integer/],
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

import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";
import { Webhook as SvixWebhook } from "svix";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { ingestStream } from "./signing.ts";

export interface VerificationRow {
  library: string;
  perSecond: number;
  microsecondsEach: number;
}

/**
 * Verifications per second of the same signed payloads (about 2 kB, one secret) by the
 * three libraries that can check a Clerk webhook, in this process, one after another.
 */
export async function benchVerification(count: number, log: (line: string) => void): Promise<VerificationRow[]> {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const requests = ingestStream({ secret, count, users: count, runId: "verify" });
  const standard = new StandardWebhook(secret);
  const svix = new SvixWebhook(secret);
  const standardHeaders = requests.map((r) => ({
    "webhook-id": r.headers["svix-id"],
    "webhook-timestamp": r.headers["svix-timestamp"],
    "webhook-signature": r.headers["svix-signature"],
  }));

  const libraries: Array<[string, (i: number) => unknown]> = [
    ["standardwebhooks 1.1.1 (used by the function)", (i) => standard.verify(requests[i].body, standardHeaders[i])],
    ["svix 1.99.1 Webhook#verify", (i) => svix.verify(requests[i].body, requests[i].headers)],
    ["@clerk/backend verifyWebhook", (i) =>
      clerkVerifyWebhook(new Request("http://localhost/", { method: "POST", headers: requests[i].headers, body: requests[i].body }), { signingSecret: secret })],
  ];
  const rows: VerificationRow[] = [];
  for (const [library, verify] of libraries) {
    for (let i = 0; i < Math.min(200, count); i++) await verify(i);
    const started = performance.now();
    for (let i = 0; i < count; i++) await verify(i);
    const seconds = (performance.now() - started) / 1000;
    const row = { library, perSecond: Math.round(count / seconds), microsecondsEach: Math.round((seconds / count) * 1e6) };
    log(`  ${library}: ${row.perSecond}/s (${row.microsecondsEach} µs each)`);
    rows.push(row);
  }
  return rows;
}

import { createHmac } from "node:crypto";
import { envelope, userJSON } from "../simulator/payloads.ts";

/**
 * Load generators sign tens of thousands of messages before a run; node:crypto's HMAC
 * does what the svix library does (v1,base64(HMAC-SHA256(key, "id.ts.body"))), much
 * faster. tests/unit/bench-signing.test.ts checks they agree.
 */
export function svixSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}

export interface SignedRequest {
  id: string;
  body: string;
  headers: Record<string, string>;
  /** The user the event is about. */
  userId: string;
}

export function signedRequest(secret: string, id: string, event: unknown, userId: string): SignedRequest {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    id,
    body,
    userId,
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(timestamp),
      "svix-signature": svixSignature(secret, id, timestamp, body),
    },
  };
}

/**
 * `count` distinct events over a pool of users: the first event of a user is a
 * user.created, later ones are user.updated with a newer clock, so every one applies.
 * About 2 kB each, like a real user payload.
 */
export function ingestStream(options: { secret: string; count: number; users: number; runId: string; clockStart?: number }): SignedRequest[] {
  const clockStart = options.clockStart ?? Date.now() - 3600_000;
  const users = Array.from({ length: Math.min(options.users, options.count) }, (_, i) =>
    userJSON({
      id: `user_bench${options.runId}${String(i).padStart(7, "0")}`,
      firstName: "Bench",
      lastName: `User ${i}`,
      username: `bench_${options.runId}_${i}`,
      publicMetadata: { plan: "pro", seats: 5, features: ["sso", "audit-log"], note: "x".repeat(600) },
    })
  );
  return Array.from({ length: options.count }, (_, i) => {
    const user = users[i % users.length];
    const type = i < users.length ? "user.created" : "user.updated";
    const clock = clockStart + i;
    const event = envelope(type, { ...user, updated_at: clock, last_name: `User ${i}` }, clock);
    return signedRequest(options.secret, `msg_bench${options.runId}_${i}`, event, user.id);
  });
}

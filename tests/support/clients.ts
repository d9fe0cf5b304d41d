import pg from "pg";
import { afterAll } from "vitest";
import { createNodeClient } from "../../scripts/lib/supabase.ts";
import type { StackStatus } from "../../scripts/lib/status.ts";
import { deliver, type Message, newMessage, sendOnce, signedHeaders } from "../../scripts/simulator/delivery.ts";
import { clerkId } from "../../scripts/simulator/ids.ts";
import { testSecrets } from "./test-stack.ts";

export { clerkId, newMessage, signedHeaders, testSecrets };

/** supabase-js as the service role. */
export function serviceClient(stack: StackStatus) {
  return createNodeClient(stack.apiUrl, stack.serviceRoleKey);
}

/** supabase-js as a visitor. */
export function anonClient(stack: StackStatus) {
  return createNodeClient(stack.apiUrl, stack.anonKey);
}

/** supabase-js as a signed-in Clerk user, with a token from the stack's dev issuer. */
export async function userClient(stack: StackStatus, sub: string, extra: Record<string, unknown> = {}) {
  const token = await devToken(stack, sub, extra);
  return createNodeClient(stack.apiUrl, stack.anonKey, async () => token);
}

export async function devToken(stack: StackStatus, sub: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(stack.devTokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, ...body }),
  });
  if (!response.ok) throw new Error(`dev token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A Postgres client as the superuser, for reading the ledger; closed after the file. */
export function database(stack: StackStatus): pg.Pool {
  const pool = new pg.Pool({ connectionString: stack.dbUrl, max: 4 });
  afterAll(() => pool.end());
  return pool;
}

/** Sends one signed delivery (no retries) and returns status and parsed body. */
export async function post(stack: StackStatus, message: Message, secret = testSecrets.current) {
  const { status, body } = await sendOnce(message, { url: stack.webhookUrl, secret });
  return { status, body: parse(body) };
}

/** Delivers like Svix, with retries. */
export async function deliverEvent(stack: StackStatus, event: unknown, id = clerkId("msg")) {
  const result = await deliver(newMessage(event, id), { url: stack.webhookUrl, secret: testSecrets.current, timeScale: 0 });
  return { ...result, body: parse(result.body) };
}

function parse(body: string): Record<string, unknown> {
  try {
    return JSON.parse(body);
  } catch {
    return { raw: body };
  }
}

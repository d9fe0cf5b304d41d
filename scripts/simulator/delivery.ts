/**
 * Delivers events the way Svix does: signed with the sender-side `svix` library,
 * a fresh timestamp and signature on every attempt, the same message id across
 * retries, and retries on failure on Svix's schedule (compressed for local use).
 */
import { Webhook } from "svix";
import { type ConnectionFailure, connectionFailure } from "../lib/connection.ts";
import { clerkId } from "./ids.ts";

/** Svix's retry schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const svixRetryScheduleMs = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface Message {
  /** Svix message id (msg_…): the idempotency key. */
  id: string;
  /** The exact body to send and sign. */
  body: string;
}

export interface DeliveryOptions {
  url: string;
  /** whsec_… */
  secret: string;
  /** `svix` (Clerk's default) or `webhook` (Standard Webhooks names). */
  headerStyle?: "svix" | "webhook";
  /**
   * Multiplies the retry schedule. 1/1000 (the default) turns Svix's 27 hours into
   * about 100 seconds; 0 retries at once. Set `retries: 0` to never retry.
   */
  timeScale?: number;
  retries?: number;
  /**
   * Attempts after the first when nothing answers at the URL (connection refused, no
   * such host): a wrong URL or a stopped stack does not come back on Svix's schedule,
   * so they are retried only briefly. Default 2 (after about 0.5 s and 2 s).
   */
  unreachableRetries?: number;
  /** Abort an attempt that has not answered after this long, as Svix does after 15 s. Default: wait. */
  timeoutMs?: number;
  /** Called after every attempt that will be retried. */
  onRetry?: (attempt: number, status: number | string, waitMs: number) => void;
  fetch?: typeof fetch;
}

export interface DeliveryResult {
  /** The HTTP status, or 0 when no answer came. */
  status: number;
  body: string;
  attempts: number;
  /** Why no answer came, when status is 0. */
  failure?: ConnectionFailure;
}

export function newMessage(event: unknown, id = clerkId("msg")): Message {
  return { id, body: JSON.stringify(event) };
}

/** The headers Svix sends for one attempt at `at`. */
export function signedHeaders(message: Message, secret: string, at = new Date(), style: "svix" | "webhook" = "svix"): Record<string, string> {
  const signature = new Webhook(secret).sign(message.id, at, message.body);
  return {
    "content-type": "application/json",
    [`${style}-id`]: message.id,
    [`${style}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${style}-signature`]: signature,
  };
}

/** One signed POST, no retries. */
export async function sendOnce(message: Message, options: DeliveryOptions): Promise<{ status: number; body: string }> {
  const response = await (options.fetch ?? fetch)(options.url, {
    method: "POST",
    headers: signedHeaders(message, options.secret, new Date(), options.headerStyle),
    body: message.body,
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Delivers until a 2xx, a response with `webhook-delivery: abort-message`, or the
 * retries run out. Like Svix, anything but a 2xx counts as a failure; unlike Svix, a
 * 4xx is not retried here, because local senders want the answer, not a day of retries.
 */
export async function deliver(message: Message, options: DeliveryOptions): Promise<DeliveryResult> {
  const schedule = svixRetryScheduleMs.slice(0, options.retries ?? svixRetryScheduleMs.length);
  const unreachableSchedule = [500, 2_000].slice(0, Math.min(options.unreachableRetries ?? 2, schedule.length));
  const scale = options.timeScale ?? 1 / 1000;
  let unreachableAttempts = 0;
  for (let attempt = 1; ; attempt++) {
    let status: number | string;
    let body = "";
    let failure: ConnectionFailure | undefined;
    try {
      const response = await (options.fetch ?? fetch)(options.url, {
        method: "POST",
        headers: signedHeaders(message, options.secret, new Date(), options.headerStyle),
        body: message.body,
        signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
      });
      status = response.status;
      body = await response.text();
      const aborted = response.headers.get("webhook-delivery") === "abort-message";
      if (status < 500 || aborted) return { status, body, attempts: attempt };
    } catch (error) {
      failure = connectionFailure(error, options.url);
      status = failure.code;
    }
    // Nothing there: a few quick tries (a stack still starting), not a day of them.
    const base = failure?.unreachable ? unreachableSchedule[unreachableAttempts++] : schedule[attempt - 1];
    if (base === undefined) {
      return failure ? { status: 0, body: failure.message, attempts: attempt, failure } : { status: status as number, body, attempts: attempt };
    }
    const waitMs = Math.round(base * (failure?.unreachable ? 1 : scale) * (0.8 + Math.random() * 0.4));
    options.onRetry?.(attempt, failure ? `${failure.code} (${failure.message})` : status, waitMs);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

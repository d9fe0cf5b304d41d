/**
 * POST /functions/v1/clerk-reconcile: one reconcile step, then the answer.
 *
 * Body (optional JSON): { "max_requests": n, "max_seconds": n, "sweep_now": bool,
 * "schedule_seconds": n } within the configured bounds. The schedule sends its interval
 * as schedule_seconds, so the health page can tell when the next run is due.
 *
 *   200  the step ran: caught_up, or budget (call again: the cursor moved)
 *   409  another step holds the lease: { holder, lease_until }; or this one lost it
 *   429  Clerk rate limited the step (Retry-After): the cursor is kept
 *   503  Clerk answered 5xx or was unreachable, or CLERK_SECRET_KEY is not set
 *   500  our own failure (the database); the cursor is kept
 *   401  neither the service-role key nor RECONCILE_SECRET
 */
import type { ClerkReader } from "../_shared/clerk-api.ts";
import { type ReconcileStore, reconcileStep, type StepOptions, type StopReason } from "../_shared/reconcile-step.ts";
import type { ReconcileConfig } from "./config.ts";
import { isAuthorized } from "./auth.ts";

export interface ReconcileHandlerOptions {
  config: ReconcileConfig;
  store: ReconcileStore;
  /** null when CLERK_SECRET_KEY is not set. */
  reader: ClerkReader | null;
  log?: (line: Record<string, unknown>) => void;
}

const statusOf: Record<StopReason, number> = {
  caught_up: 200,
  budget: 200,
  rate_limited: 429,
  clerk_unavailable: 503,
  lease_lost: 409,
  failed: 500,
};

export function createReconcileHandler(options: ReconcileHandlerOptions): (request: Request) => Promise<Response> {
  const { config, store, reader } = options;
  const log = options.log ?? ((line) => console.log(JSON.stringify(line)));

  return async (request) => {
    const started = performance.now();
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}, line: Record<string, unknown> = {}) => {
      log({ msg: "clerk-reconcile", status, ms: Math.round(performance.now() - started), ...line });
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
    };

    if (request.method !== "POST") return answer(405, { error: "POST a step" }, { allow: "POST" });
    if (!(await isAuthorized(request, config.serviceRoleKey, config.sharedSecret))) {
      return answer(401, { error: "the service-role key (Authorization: Bearer) or RECONCILE_SECRET (x-reconcile-secret) is required" });
    }
    let body: Record<string, unknown>;
    try {
      const text = await request.text();
      body = text.trim() ? JSON.parse(text) : {};
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SyntaxError("not an object");
    } catch {
      return answer(400, { error: "the body must be a JSON object, or empty" });
    }
    const limits = stepLimits(body, config);
    if (typeof limits === "string") return answer(400, { error: limits });
    if (!reader) {
      return answer(503, { error: "CLERK_SECRET_KEY is not set: `supabase secrets set CLERK_SECRET_KEY=sk_…` (Clerk dashboard → API keys)" });
    }

    try {
      const result = await reconcileStep({
        run: "reconcile",
        holder: `clerk-reconcile:${crypto.randomUUID()}`,
        reader,
        store,
        graceMs: config.graceSeconds * 1000,
        sweepEveryMs: config.sweepEverySeconds * 1000,
        maxDeletes: config.maxDeletes,
        ...limits,
      });
      if (!result.ran) {
        return answer(409, { ran: false, holder: result.holder, lease_until: result.leaseUntil }, {}, { outcome: "lease_held" });
      }
      const { report } = result;
      const headers: Record<string, string> = report.retry_after_seconds ? { "retry-after": String(report.retry_after_seconds) } : {};
      return answer(statusOf[report.stopped], { ran: true, ...report }, headers, {
        outcome: report.stopped,
        requests: report.requests,
        ...(report.error ? { error: report.error } : {}),
      });
    } catch (error) {
      // The lease could not even be taken or given back: the database.
      return answer(500, { error: "the database failed; the cursor is kept, call again" }, {}, { error: (error as Error).message });
    }
  };
}

/** The body's limits, checked against the configured ones; a string says what is wrong. */
function stepLimits(body: Record<string, unknown>, config: ReconcileConfig): Partial<StepOptions> | string {
  const whole = (name: string, max: number): number | undefined | string => {
    const value = body[name];
    if (value === undefined) return undefined;
    return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max ? value as number : `${name} must be a whole number from 1 to ${max}`;
  };
  const maxRequests = whole("max_requests", config.maxRequests);
  const maxSeconds = whole("max_seconds", config.maxSeconds);
  const scheduleSeconds = whole("schedule_seconds", 86_400);
  for (const value of [maxRequests, maxSeconds, scheduleSeconds]) if (typeof value === "string") return value;
  if (body.sweep_now !== undefined && typeof body.sweep_now !== "boolean") return "sweep_now must be true or false";
  return {
    maxRequests: (maxRequests as number | undefined) ?? config.maxRequests,
    maxMs: ((maxSeconds as number | undefined) ?? config.maxSeconds) * 1000,
    scheduleSeconds: scheduleSeconds as number | undefined,
    sweepNow: body.sweep_now === true,
  };
}

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
 *   400  a body it cannot read; 401 neither the service-role key nor RECONCILE_SECRET;
 *   405  not POST
 */
import type { ClerkReader } from "../_shared/clerk-api.ts";
import { createResponder, HttpError, json, type RequestLine } from "../_shared/http.ts";
import { type ReconcileStore, reconcileStep, type StepOptions, type StopReason } from "../_shared/reconcile-step.ts";
import { isAuthorized } from "./auth.ts";
import type { ReconcileConfig } from "./config.ts";

export interface ReconcileHandlerOptions {
  config: ReconcileConfig;
  store: ReconcileStore;
  /** null when CLERK_SECRET_KEY is not set. */
  reader: ClerkReader | null;
  log?: (line: ReconcileLog) => void;
}

export interface ReconcileLog extends RequestLine {
  msg: "clerk-reconcile";
  outcome?: StopReason | "lease_held";
  requests?: number;
}

/** Why a step stopped, as the status the schedule and monitors see. */
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
  const respond = createResponder<ReconcileLog>({
    msg: "clerk-reconcile",
    log: options.log,
    failures: { database: "the database did not answer; the cursor is kept, call again", internal: "internal error" },
  });

  return (request) =>
    respond(async (entry) => {
      if (request.method !== "POST") throw new HttpError(405, "POST a step", { allow: "POST" });
      if (!(await isAuthorized(request, config.serviceRoleKey, config.sharedSecret))) {
        throw new HttpError(401, "the service-role key (Authorization: Bearer) or RECONCILE_SECRET (x-reconcile-secret) is required");
      }
      const limits = stepLimits(await readBody(request), config);
      if (!reader) {
        throw new HttpError(503, "CLERK_SECRET_KEY is not set: `supabase secrets set CLERK_SECRET_KEY=sk_…` (Clerk dashboard → API keys)");
      }

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
        entry.outcome = "lease_held";
        return json(409, { ran: false, holder: result.holder, lease_until: result.leaseUntil });
      }
      const { report } = result;
      Object.assign(entry, { outcome: report.stopped, requests: report.requests }, report.error ? { error: report.error } : {});
      const headers: Record<string, string> = report.retry_after_seconds ? { "retry-after": String(report.retry_after_seconds) } : {};
      return json(statusOf[report.stopped], { ran: true, ...report }, headers);
    });
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    const body = JSON.parse(text);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body;
  } catch {
    // answered below
  }
  throw new HttpError(400, "the body must be a JSON object, or empty");
}

/** The body's limits, checked against the configured ones. */
function stepLimits(body: Record<string, unknown>, config: ReconcileConfig): Partial<StepOptions> {
  const whole = (name: string, max: number): number | undefined => {
    const value = body[name];
    if (value === undefined) return undefined;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1 && value <= max) return value;
    throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`);
  };
  if (body.sweep_now !== undefined && typeof body.sweep_now !== "boolean") throw new HttpError(400, "sweep_now must be true or false");
  return {
    maxRequests: whole("max_requests", config.maxRequests) ?? config.maxRequests,
    maxMs: (whole("max_seconds", config.maxSeconds) ?? config.maxSeconds) * 1000,
    scheduleSeconds: whole("schedule_seconds", 86_400),
    sweepNow: body.sweep_now === true,
  };
}

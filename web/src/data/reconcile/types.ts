/** One kind's part of a reconcile step (see supabase/functions/_shared/reconcile-step.ts). */
export interface ReconcileKindStep {
  read: number;
  changed: number;
  repaired: number;
  deferred: number;
  upserted: string[];
  newest_updated_at: string | null;
  caught_up: boolean;
}

export interface ReconcileStep {
  started_at: string;
  finished_at: string;
  stopped: "caught_up" | "budget" | "rate_limited" | "clerk_unavailable" | "lease_lost" | "failed";
  error?: string;
  retry_after_seconds?: number;
  requests: number;
  kinds: Partial<Record<"users" | "organizations" | "memberships", ReconcileKindStep>>;
  sweep: { checked: number; gone: number; tombstoned: Record<string, string[]>; refused: Record<string, { gone: number; limit: number; live: number }>; done: boolean } | null;
}

export interface WebhooksMissing {
  /** Clerk's updated_at of the first change no webhook delivered: recover messages from there. */
  since: string;
  detected_at: string;
  kinds: string[];
  repaired: number;
}

/** What public.sync_reconcile_report answers (see supabase/schemas/80_health_admin.sql); {} fields are null before any step. */
export interface ReconcileReport {
  generated_at: string;
  last_step_at?: string | null;
  last_step?: ReconcileStep | null;
  holder?: string | null;
  lease_until?: string | null;
  schedule_seconds?: number | null;
  next_run_at?: string | null;
  cursors?: {
    users?: { updated_at: number; offset: number };
    organizations?: { offset: number };
    memberships?: { offset: number };
  } | null;
  webhooks_missing: WebhooksMissing | null;
}

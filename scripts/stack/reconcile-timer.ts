/**
 * The local stack's schedule for the reconcile: what pg_cron + pg_net do on hosted
 * Supabase (supabase/snippets/schedule-reconcile.sql), one POST to clerk-reconcile every
 * interval, with the service-role key and the interval as schedule_seconds. Off unless
 * STACK_RECONCILE_INTERVAL (seconds) is set, so tests run it only when they ask.
 */
export interface ReconcileTimerOptions {
  /** The gateway's /functions/v1/clerk-reconcile. */
  url: string;
  serviceRoleKey: string;
  intervalSeconds: number;
  /** One line per step that did not simply run (lease held, Clerk unavailable, …). */
  log?: (line: string) => void;
}

export function startReconcileTimer(options: ReconcileTimerOptions): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    // Like pg_cron: one call per tick; a tick that finds the last call still running skips.
    if (running) return;
    running = (async () => {
      try {
        const response = await fetch(options.url, {
          method: "POST",
          headers: { authorization: `Bearer ${options.serviceRoleKey}`, "content-type": "application/json" },
          body: JSON.stringify({ schedule_seconds: options.intervalSeconds }),
        });
        const body = await response.text();
        if (response.status !== 200) options.log?.(`reconcile step: ${response.status} ${body.slice(0, 300)}`);
      } catch (error) {
        options.log?.(`reconcile step: ${(error as Error).message}`);
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, options.intervalSeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * `discard-failed`: gives up on failed ledger events that no fix can make apply, so
 * that sync_health stops answering 503 for them. The work is one call per id to
 * public.discard_failed_event (through supabase/functions/_shared/discard.ts, shared
 * with the dashboard's Discard button), which records who and when in the ledger row
 * and why in clerk_event_audit. `--dry-run` reads the rows and changes nothing.
 */
import { userInfo } from "node:os";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/database.types.ts";
import { type Discard, discardFailedEvent } from "../../supabase/functions/_shared/discard.ts";

/** Who the ledger says discarded it: the operator's login on this machine. */
export function operatorName(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

/** One line for one id. */
export function describeDiscard(answer: Discard, dryRun: boolean): string {
  switch (answer.result) {
    case "discarded": {
      const { event } = answer;
      const what = `${event.type}${event.object_id ? ` ${event.object_id}` : ""}, ${event.attempts} attempt${event.attempts === 1 ? "" : "s"}`;
      return dryRun
        ? `• would discard ${event.svix_id} (${what}): ${event.error ?? "no error recorded"}`
        : `✓ discarded ${event.svix_id} (${what}), recorded as discarded by ${answer.discarded_by}`;
    }
    case "not_failed":
      return `• ${answer.svix_id} is ${answer.outcome}, not failed: nothing to discard`;
    case "unknown":
      return `✗ ${answer.svix_id} was not found in the ledger: check the id (the health page lists failed events)`;
  }
}

/** Discards (or, in a dry run, looks at) each id in turn; 1 when an id was not found. */
export async function discardFailedAndReport(
  client: SupabaseClient<Database>,
  options: { ids: string[]; reason?: string; dryRun: boolean },
): Promise<number> {
  if (options.dryRun) console.log("Dry run: nothing will change.");
  const answers: Discard[] = [];
  for (const id of options.ids) {
    const answer = await discardFailedEvent(client, id, { actor: operatorName(), reason: options.reason, dryRun: options.dryRun });
    console.log(describeDiscard(answer, options.dryRun));
    answers.push(answer);
  }
  const count = (result: Discard["result"]) => answers.filter((answer) => answer.result === result).length;
  const done = count("discarded");
  console.log(
    `${options.dryRun ? `Would discard ${done}` : `Discarded ${done}`} of ${answers.length} event${answers.length === 1 ? "" : "s"}` +
      `${count("not_failed") ? `; ${count("not_failed")} not failed` : ""}${count("unknown") ? `; ${count("unknown")} not in the ledger` : ""}.`,
  );
  return count("unknown") === 0 ? 0 : 1;
}

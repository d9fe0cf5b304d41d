import { describe, expect, it } from "vitest";
import { groupCommit } from "../../supabase/functions/_shared/apply.ts";
import type { ApplyOutcome as Outcome, LedgerEvent } from "../../supabase/functions/_shared/events.ts";

const event = (svix_id: string) => ({ svix_id }) as LedgerEvent;

/** A group applier that records its calls and settles each when told to. */
function controlledApplier() {
  const calls: Array<{ ids: string[]; settle: (outcomes: Outcome[] | Error) => void }> = [];
  const apply = (events: LedgerEvent[]) =>
    new Promise<Outcome[]>((resolve, reject) => {
      calls.push({ ids: events.map((e) => e.svix_id), settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
    });
  return { calls, apply };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("groupCommit", () => {
  it("applies a lone event at once, in a group of one", async () => {
    const { calls, apply } = controlledApplier();
    const outcome = groupCommit(apply)(event("a"));
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([["a"]]);
    calls[0].settle(["applied"]);
    expect(await outcome).toBe("applied");
  });

  it("groups the events that arrive while a group is in flight, and answers each with its own outcome", async () => {
    const { calls, apply } = controlledApplier();
    const applyEvent = groupCommit(apply);
    const first = applyEvent(event("a"));
    const rest = ["b", "c", "d"].map((id) => applyEvent(event(id)));
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([["a"]]);
    calls[0].settle(["applied"]);
    await first;
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([["a"], ["b", "c", "d"]]);
    calls[1].settle(["stale", "duplicate", "ignored"]);
    expect(await Promise.all(rest)).toEqual(["stale", "duplicate", "ignored"]);
  });

  it("never answers a delivery before its own group has committed", async () => {
    const { calls, apply } = controlledApplier();
    const applyEvent = groupCommit(apply);
    applyEvent(event("a"));
    let answered = false;
    applyEvent(event("b")).then(() => (answered = true));
    await tick();
    calls[0].settle(["applied"]);
    await tick();
    expect(answered).toBe(false);
    calls[1].settle(["applied"]);
    await tick();
    expect(answered).toBe(true);
  });

  it("fails every delivery of a failed group, and carries on with the next", async () => {
    const { calls, apply } = controlledApplier();
    const applyEvent = groupCommit(apply);
    const first = applyEvent(event("a"));
    const second = [applyEvent(event("b")), applyEvent(event("c"))];
    await tick();
    calls[0].settle(["applied"]);
    await first;
    await tick();
    calls[1].settle(new Error("connection reset"));
    await expect(second[0]).rejects.toThrow("connection reset");
    await expect(second[1]).rejects.toThrow("connection reset");
    const third = applyEvent(event("d"));
    await tick();
    calls[2].settle(["applied"]);
    expect(await third).toBe("applied");
  });

  it("caps a group at maxGroup events", async () => {
    const { calls, apply } = controlledApplier();
    const applyEvent = groupCommit(apply, 2);
    const all = ["a", "b", "c", "d", "e"].map((id) => applyEvent(event(id)));
    await tick();
    calls[0].settle(["applied"]);
    await tick();
    calls[1].settle(["applied", "applied"]);
    await tick();
    calls[2].settle(["applied", "applied"]);
    await Promise.all(all);
    expect(calls.map((c) => c.ids)).toEqual([["a"], ["b", "c"], ["d", "e"]]);
  });

  it("applies up to maxInFlight groups at once, and queues the rest into the next free slot", async () => {
    const { calls, apply } = controlledApplier();
    const applyEvent = groupCommit(apply, 64, 2);
    const answers = ["a", "b", "c", "d", "e"].map((id) => applyEvent(event(id)));
    await tick();
    expect(calls.map((c) => c.ids), "two lone groups start at once; the rest wait").toEqual([["a"], ["b"]]);
    calls[1].settle(["applied"]);
    await tick();
    expect(calls.map((c) => c.ids), "the freed slot takes the whole queue").toEqual([["a"], ["b"], ["c", "d", "e"]]);
    calls[2].settle(["applied", "stale", "applied"]);
    calls[0].settle(["duplicate"]);
    expect(await Promise.all(answers)).toEqual(["duplicate", "applied", "applied", "stale", "applied"]);
    expect(calls).toHaveLength(3);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidMessageIdError, isMessageId } from "../../supabase/functions/_shared/message-id.ts";
import { replayFailed } from "../../supabase/functions/_shared/replay.ts";

describe("message ids an operator may name", () => {
  it.each(["msg_2Yc4aBcDeFgHiJkLmNoPqRsTuVw", "backfill:user_2NNE:1700000000000", "reconcile:org_1:tombstone", "a", "x".repeat(256)])("accepts %s", (id) => {
    expect(isMessageId(id)).toBe(true);
  });
  it.each(['zz",msg_x,"yy', "msg_a,msg_b", "(msg_a)", "msg a", "", "x".repeat(257), "msg_\u00e9", "msg_a\n"])("refuses %j", (id) => {
    expect(isMessageId(id)).toBe(false);
  });
  it("replayFailed refuses one before any query is made", async () => {
    const client = new Proxy({}, { get: () => { throw new Error("no query may be made"); } });
    await expect(replayFailed(client as never, { ids: ["msg_ok", 'zz",msg_x,"yy'] })).rejects.toThrow(InvalidMessageIdError);
  });
});

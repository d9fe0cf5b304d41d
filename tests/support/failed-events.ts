import type pg from "pg";
import { expect } from "vitest";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import type { StackStatus } from "../../scripts/lib/status.ts";
import { newMessage, post } from "./clients.ts";

/**
 * A user.created that the database refuses: a NOT VALID check constraint that only
 * this username breaks, as a later migration might add. Returns the message, with the
 * constraint still in place; `fix()` drops it.
 */
export async function failedUserCreated(stack: StackStatus, db: pg.Pool, name: string) {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const user = userJSON({ firstName: "Poison", lastName: name, username: `poison_${name}_${tag}` });
  const constraint = `test_failed_${name}_${tag}`;
  await db.query(`alter table profiles add constraint ${constraint} check (username is distinct from '${user.username}') not valid`);
  const message = newMessage(envelope("user.created", user, user.created_at));
  try {
    expect((await post(stack, message)).status).toBe(422);
  } catch (error) {
    await db.query(`alter table profiles drop constraint ${constraint}`);
    throw error;
  }
  return { user, message, constraint, fix: () => db.query(`alter table profiles drop constraint if exists ${constraint}`) };
}

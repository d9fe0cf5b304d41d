import { randomBytes } from "node:crypto";
import { envelope, type UserJSON, userJSON } from "../../../scripts/simulator/payloads.ts";
import { updateState } from "../../../scripts/simulator/state.ts";
import type { StackStatus } from "../../../scripts/lib/status.ts";
import { clerkId, deliverEvent, userClient } from "../../support/clients.ts";

export interface CastMember {
  user: UserJSON;
  email: string;
  name: string;
}

/**
 * Users of one test file, with ids and a search word no other file shares: every
 * username is `<first>_<token>`, so searching the feed for the token finds exactly them
 * while other files fill the same stack in parallel.
 */
export function castFor(stack: StackStatus) {
  const token = `e2e${randomBytes(4).toString("hex")}`;
  let clock = Date.now() - 60_000;
  const member = (firstName: string, lastName: string): CastMember => {
    const id = clerkId("user");
    const username = `${firstName.toLowerCase()}_${token}`;
    const email = `${username}@private.example.com`;
    clock += 1_000;
    const user = userJSON({
      id,
      firstName,
      lastName,
      username,
      email,
      imageUrl: `${stack.apiUrl}/dev/avatar/${id}.svg?name=${encodeURIComponent(`${firstName} ${lastName}`)}`,
      createdAt: clock,
    });
    return { user, email, name: `${firstName} ${lastName}` };
  };
  return { token, member };
}

/** Sends user.created through the real webhook, signed, as Clerk would. */
export async function signUp(stack: StackStatus, member: CastMember): Promise<void> {
  const { status, body } = await deliverEvent(stack, envelope("user.created", member.user, member.user.created_at));
  if (status !== 200) throw new Error(`user.created for ${member.user.id}: ${status} ${JSON.stringify(body)}`);
}

export async function deleteUser(stack: StackStatus, member: CastMember): Promise<void> {
  const { status, body } = await deliverEvent(stack, envelope("user.deleted", { object: "user", id: member.user.id, deleted: true }));
  if (status !== 200) throw new Error(`user.deleted for ${member.user.id}: ${status} ${JSON.stringify(body)}`);
}

/** Writes the user's own fields as that user, through PostgREST. */
export async function writeOwnFields(stack: StackStatus, member: CastMember, fields: { bio?: string; country?: string; birthday?: string; birthday_public?: boolean }) {
  const client = await userClient(stack, member.user.id);
  const { error } = await client.from("profiles").update(fields).eq("clerk_id", member.user.id);
  if (error) throw new Error(`profile of ${member.user.id}: ${error.message}`);
}

/**
 * Puts the user in "Clerk" (the stack's fake Backend API) and sends no webhook, as
 * `npm run clerk -- send user.created --no-deliver` does.
 */
export async function addToClerk(stack: StackStatus, member: CastMember): Promise<void> {
  await updateState(stack.stateDir, (state) => {
    state.users[member.user.id] = member.user;
  });
}

/** Deletes the user in "Clerk" and sends no webhook: their next pull finds them gone. */
export async function removeFromClerk(stack: StackStatus, member: CastMember): Promise<void> {
  await updateState(stack.stateDir, (state) => {
    delete state.users[member.user.id];
  });
}

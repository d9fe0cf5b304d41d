/**
 * Demo data: the same users on every machine, sent as real signed webhooks, then a bio
 * and country written by each user through PostgREST with their own dev token (the
 * path the dashboard uses). Running it twice adds nothing: message ids are derived
 * from the user, so a second run is all duplicates, and profiles that already have a
 * bio are left alone.
 */
import type { StackStatus } from "../lib/status.ts";
import { inParallel } from "../lib/parallel.ts";
import { progress } from "../lib/progress.ts";
import { deliver, newMessage } from "./delivery.ts";
import { clerkId, seededRandom } from "./ids.ts";
import { envelope, userJSON, type UserJSON } from "./payloads.ts";
import { updateState } from "./state.ts";

const firstNames = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Tim", "Hedy", "Dennis", "Radia", "Ken", "Barbara", "Guido", "Frances", "Yukihiro", "Sophie", "Bjarne", "Anita", "Edsger", "Shafi", "Donald", "Joan", "Vint", "Karen", "Leslie", "Mary", "Niklaus", "Jean", "John", "Evelyn", "Chidi", "Amara", "Mateo", "Sofia", "Kenji", "Aiko", "Lars", "Ingrid", "Rahul", "Priya", "Omar", "Leila", "Tomás", "Lucía", "Wei", "Mei", "Kwame", "Zanele"];
const lastNames = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Berners-Lee", "Lamarr", "Ritchie", "Perlman", "Thompson", "Liskov", "van Rossum", "Allen", "Matsumoto", "Wilson", "Stroustrup", "Borg", "Dijkstra", "Goldwasser", "Knuth", "Clarke", "Cerf", "Spärck Jones", "Lamport", "Keller", "Wirth", "Bartik", "McCarthy", "Boyd", "Okafor", "Nwosu", "García", "Rossi", "Tanaka", "Sato", "Nilsson", "Larsen", "Sharma", "Iyer", "Haddad", "Karimi", "Fernández", "Morales", "Zhang", "Chen", "Mensah", "Dlamini"];
const countries = ["GB", "US", "SE", "DE", "FR", "JP", "NG", "BR", "IN", "KE", "ES", "CA", "AU", "NL", "ZA", "MX", "FI", "KR", "GH", "IT"];
const bios = [
  "Writes compilers for fun and gardens for sanity.",
  "Building calm software for noisy teams.",
  "Databases, distributed systems, and very strong coffee.",
  "Designer turned engineer. Still picky about kerning.",
  "Open-source maintainer. Answers issues before breakfast.",
  "Teaching kids to code on weekends.",
  "Making the web faster one byte at a time.",
  "Security engineer: I break things so you don't have to.",
  "Former physicist, current product engineer.",
  "Loves type systems, trail running and bad puns.",
];

export interface DemoUser {
  user: UserJSON;
  bio: string;
  country: string;
  birthday: string;
}

/** The first `count` demo users, identical on every run and every machine. */
export function demoUsers(count: number, apiUrl: string, seed = 42): DemoUser[] {
  const random = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const day = 24 * 3600 * 1000;
  const start = Date.UTC(2026, 7, 1);
  return Array.from({ length: count }, (_, i) => {
    const firstName = pick(firstNames);
    const lastName = pick(lastNames);
    const id = clerkId("user", random);
    const username = `${firstName}${lastName}`.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase().slice(0, 14) + (i + 1);
    const createdAt = start + Math.floor(i * (90 * day) / Math.max(count, 1)) + Math.floor(random() * 3600_000);
    const user = userJSON({
      id,
      firstName,
      lastName,
      username,
      email: `${username}@example.com`,
      imageUrl: `${apiUrl}/dev/avatar/${id}.svg?name=${encodeURIComponent(`${firstName} ${lastName}`)}`,
      createdAt,
      random,
    });
    const year = 1960 + Math.floor(random() * 45);
    const birthday = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, "0")}-${String(1 + Math.floor(random() * 28)).padStart(2, "0")}`;
    return { user, bio: pick(bios), country: pick(countries), birthday };
  });
}

export interface SeedResult {
  applied: number;
  duplicate: number;
  other: number;
  profilesWritten: number;
}

/** Sends `user.created` for each demo user (8 at a time), then fills in their own fields. */
export async function seedDemoUsers(
  status: StackStatus,
  count: number,
  options: { seed?: number; concurrency?: number; withProfiles?: boolean; quiet?: boolean } = {},
): Promise<SeedResult> {
  const users = demoUsers(count, status.apiUrl, options.seed);
  const result: SeedResult = { applied: 0, duplicate: 0, other: 0, profilesWritten: 0 };
  const bar = options.quiet ? null : progress("seeding users  ", users.length);
  await inParallel(users, options.concurrency ?? 8, async ({ user }) => {
    const message = newMessage(envelope("user.created", user, user.created_at), `msg_seed_${user.id.slice(5)}`);
    const delivery = await deliver(message, { url: status.webhookUrl, secret: status.webhookSecret });
    if (delivery.failure) {
      throw new Error(`seeding ${user.id}: no answer from ${status.webhookUrl}: ${delivery.failure.message} (${delivery.failure.code}). Is the stack running (\`npm run stack\`)?`);
    }
    const outcome = delivery.status === 200 ? (JSON.parse(delivery.body).outcome as string) : `HTTP ${delivery.status}`;
    if (outcome === "applied") result.applied++;
    else if (outcome === "duplicate") result.duplicate++;
    else {
      result.other++;
      throw new Error(`seeding ${user.id} answered ${delivery.status}: ${delivery.body}`);
    }
    bar?.tick();
  });
  bar?.done();
  // The simulated Clerk holds the demo users too, so the fake Backend API serves them.
  await updateState(status.stateDir, (state) => {
    for (const { user } of users) state.users[user.id] ??= user;
  });

  if (options.withProfiles ?? true) {
    const fields = progress("writing bios   ", users.length);
    await inParallel(users, options.concurrency ?? 8, async ({ user, bio, country, birthday }) => {
      if (await writeOwnFields(status, user.id, { bio, country, birthday, birthday_public: birthday.endsWith("7") })) {
        result.profilesWritten++;
      }
      if (!options.quiet) fields.tick();
    });
    if (!options.quiet) fields.done();
  }
  return result;
}

/** PATCHes the user's own fields as that user, unless a bio is already there. */
async function writeOwnFields(status: StackStatus, clerkId: string, fields: Record<string, unknown>): Promise<boolean> {
  const tokenResponse = await fetch(status.devTokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json", apikey: status.anonKey },
    body: JSON.stringify({ sub: clerkId, ttl_seconds: 60 }),
  });
  const { token } = await tokenResponse.json() as { token: string };
  const response = await fetch(`${status.apiUrl}/rest/v1/profiles?clerk_id=eq.${encodeURIComponent(clerkId)}&bio=is.null`, {
    method: "PATCH",
    headers: { apikey: status.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "return=representation" },
    body: JSON.stringify(fields),
  });
  if (!response.ok) throw new Error(`writing ${clerkId}'s profile answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as unknown[]).length > 0;
}

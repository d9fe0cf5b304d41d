/**
 * Clerk histories and Svix deliveries as fast-check arbitraries, for the convergence
 * property. A history is abstract (indices and choices); `materialize` turns it into
 * real signed-ready events with ids unique to one property run, because the shared
 * stack keeps every earlier run's rows.
 */
import fc from "fast-check";
import { type Message } from "../../../scripts/simulator/delivery.ts";
import { clerkId, seededRandom } from "../../../scripts/simulator/ids.ts";
import { deletedJSON, envelope, membershipJSON, organizationJSON, sessionJSON, userJSON } from "../../../scripts/simulator/payloads.ts";

/** One step of a user's life after `user.created`. */
interface Step {
  /** Milliseconds after the previous event: 0 makes a tie, broken by message id. */
  gap: number;
  kind: "updated" | "deleted";
  name: string | null;
  username: string | null;
  email: string | null;
  metadata: Record<string, unknown>;
  /** Leave the envelope timestamp out, so the clock is data.updated_at. */
  clockFromData: boolean;
}

interface UserHistory {
  start: number;
  name: string | null;
  steps: Step[];
}

/** An organization's life after organization.created. */
interface OrgHistory {
  start: number;
  name: string;
  steps: Array<{ gap: number; kind: "updated" | "deleted"; name: string }>;
}

/** A membership of one of the history's organizations and users. */
interface MembershipHistory {
  org: number;
  user: number;
  start: number;
  steps: Array<{ gap: number; kind: "updated" | "deleted"; role: string }>;
}

export interface History {
  users: UserHistory[];
  orgs: OrgHistory[];
  memberships: MembershipHistory[];
  /** Events of types this sync does not store (recorded as ignored). */
  unknown: number;
  /** Seeds the message ids, so tie-breaks differ between runs but repeat with the seed. */
  idSeed: number;
}

export interface Bounds {
  maxUsers: number;
  maxOrgs: number;
  maxMemberships: number;
  maxSteps: number;
  maxCopies: number;
  maxBatch: number;
}

/** Unicode of every kind: fast-check's full code-point range includes NUL and lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("'; drop table profiles; --", "<script>alert(1)</script>", "Zoë 🧪", "\u0000", "\uD800"),
);

const step: fc.Arbitrary<Step> = fc.record({
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 86_400_000 })),
  kind: fc.constantFrom<Step["kind"]>("updated", "updated", "updated", "deleted"),
  name: fc.option(text, { nil: null }),
  username: fc.option(text, { nil: null }),
  email: fc.option(fc.emailAddress(), { nil: null }),
  metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>,
  clockFromData: fc.boolean(),
});

const role = fc.constantFrom("org:admin", "org:member", "org:billing");
const clockSlot = fc.integer({ min: 0, max: 5 }).map((slot) => Date.UTC(2026, 9, 1) + slot * 1000);
const gap = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 86_400_000 }));
const orgHistory: fc.Arbitrary<OrgHistory> = fc.record({
  start: clockSlot,
  name: text,
  steps: fc.array(fc.record({ gap, kind: fc.constantFrom<"updated" | "deleted">("updated", "updated", "deleted"), name: text }), { maxLength: 3 }),
});

export function historyArbitrary(bounds: Bounds): fc.Arbitrary<History> {
  return fc.record({
    orgs: fc.array(orgHistory, { maxLength: bounds.maxOrgs }),
    memberships: fc.array(
      fc.record({
        org: fc.nat(),
        user: fc.nat(),
        start: clockSlot,
        steps: fc.array(fc.record({ gap, kind: fc.constantFrom<"updated" | "deleted">("updated", "updated", "deleted"), role }), { maxLength: 3 }),
      }),
      { maxLength: bounds.maxMemberships },
    ),
    users: fc.array(
      fc.record({
        // A few start times are shared, so different users' events interleave closely.
        start: fc.integer({ min: 0, max: 5 }).map((slot) => Date.UTC(2026, 9, 1) + slot * 1000),
        name: fc.option(text, { nil: null }),
        steps: fc.array(step, { maxLength: bounds.maxSteps }),
      }),
      { minLength: 1, maxLength: bounds.maxUsers },
    ),
    unknown: fc.integer({ min: 0, max: 2 }),
    idSeed: fc.integer(),
  });
}

export type Table = "profiles" | "organizations" | "organization_memberships";

/** A Clerk event ready to send, and what it means for the row it names. */
export interface SentEvent {
  message: Message;
  type: string;
  /** The row it changes; null for a type this sync ignores. */
  table: Table | null;
  entityId: string | null;
  /** The event clock (ms). */
  at: number;
  /** True for user.deleted, organization.deleted, organizationMembership.deleted. */
  deletes: boolean;
  /** For a membership event: the organization and user it belongs to. */
  parents?: { org: string; user: string };
  /** This event came after a delete of the same object in Clerk's own order. */
  afterDelete: boolean;
}

/** Real events for one run: user ids and message ids carry `runTag`, so runs never meet. */
export function materialize(history: History, runTag: string): SentEvent[] {
  const random = seededRandom(history.idSeed);
  const messageId = () => `msg_${runTag}${clerkId("msg", random).slice(4)}`;
  const events: SentEvent[] = [];
  history.users.forEach((life, u) => {
    const id = `user_${runTag}u${u}`;
    let at = life.start;
    let user = userJSON({ id, firstName: life.name, username: null, createdAt: at, random });
    const base = { table: "profiles" as const, entityId: id };
    events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("user.created", user, at)) }, type: "user.created", at, deletes: false, afterDelete: false });
    let deleted = false;
    // Updates after a delete, and ties that an update wins, bring the user back; the
    // memberships its delete ended stay ended.
    for (const s of life.steps) {
      at += s.gap;
      if (s.kind === "deleted") {
        events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("user.deleted", deletedJSON("user", id), at)) }, type: "user.deleted", at, deletes: true, afterDelete: deleted });
        deleted = true;
        continue;
      }
      user = structuredClone(user);
      user.first_name = s.name;
      user.username = s.username;
      user.public_metadata = s.metadata;
      user.private_metadata = { secret: `private-${id}` };
      user.updated_at = at;
      if (s.email) {
        user.email_addresses = [{ ...user.email_addresses[0] ?? { object: "email_address", id: `idn_${u}`, verification: null, linked_to: [] }, email_address: s.email }];
        user.primary_email_address_id = user.email_addresses[0].id;
      }
      const event: Partial<ReturnType<typeof envelope>> = envelope("user.updated", user, at);
      if (s.clockFromData) delete event.timestamp;
      events.push({ ...base, message: { id: messageId(), body: JSON.stringify(event) }, type: "user.updated", at, deletes: false, afterDelete: deleted });
    }
  });

  const orgs = history.orgs.map((life, o) => {
    const id = `org_${runTag}o${o}`;
    let at = life.start;
    let org = organizationJSON({ id, name: life.name, createdBy: `user_${runTag}u0`, createdAt: at });
    const base = { table: "organizations" as const, entityId: id };
    events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("organization.created", org, at)) }, type: "organization.created", at, deletes: false, afterDelete: false });
    let deleted = false;
    // Organizations too may be brought back after a delete.
    for (const s of life.steps) {
      at += s.gap;
      if (s.kind === "deleted") {
        events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("organization.deleted", deletedJSON("organization", id), at)) }, type: "organization.deleted", at, deletes: true, afterDelete: deleted });
        deleted = true;
      } else {
        org = { ...org, name: s.name, private_metadata: { secret: `private-${id}` }, updated_at: at };
        events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("organization.updated", org, at)) }, type: "organization.updated", at, deletes: false, afterDelete: deleted });
      }
    }
    return org;
  });

  if (orgs.length > 0) {
    history.memberships.forEach((life, m) => {
      const id = `orgmem_${runTag}m${m}`;
      const org = orgs[life.org % orgs.length];
      const userId = `user_${runTag}u${life.user % history.users.length}`;
      const member = userJSON({ id: userId, firstName: "Member", random });
      let at = life.start;
      let membership = membershipJSON({ id, organization: org, user: member, createdAt: at });
      const base = { table: "organization_memberships" as const, entityId: id, parents: { org: org.id, user: userId } };
      events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope("organizationMembership.created", membership, at)) }, type: "organizationMembership.created", at, deletes: false, afterDelete: false });
      let deleted = false;
      for (const s of life.steps) {
        at += s.gap;
        membership = { ...membership, role: s.role, updated_at: at };
        const type = s.kind === "deleted" ? "organizationMembership.deleted" : "organizationMembership.updated";
        events.push({ ...base, message: { id: messageId(), body: JSON.stringify(envelope(type, membership, at)) }, type, at, deletes: s.kind === "deleted", afterDelete: deleted });
        if (s.kind === "deleted") deleted = true;
      }
    });
  }
  for (let i = 0; i < history.unknown; i++) {
    const type = i % 2 === 0 ? "session.created" : "email.created";
    const data = i % 2 === 0 ? sessionJSON({ userId: `user_${runTag}u0`, now: Date.UTC(2026, 9, 1) }) : { object: "email", id: `ema_${runTag}${i}` };
    events.push({ message: { id: messageId(), body: JSON.stringify(envelope(type, data, Date.UTC(2026, 9, 1))) }, type, table: null, entityId: null, at: Date.UTC(2026, 9, 1), deletes: false, afterDelete: false });
  }
  return events;
}

/** One delivery attempt of a message, signed the way Svix signs that attempt. */
export interface Attempt {
  event: number;
  /** Seconds from now the attempt is signed at: every retry is re-signed, within Svix's 5 minutes. */
  signedAtOffset: number;
  headerStyle: "svix" | "webhook";
  /** Signed with the previous secret, as during a rotation. */
  previousSecret: boolean;
  /** Which of two function instances takes it (hosted Supabase runs several). */
  instance: number;
}

/** Attempts in sending order, in batches sent concurrently. */
export type DeliveryPlan = Attempt[][];

/**
 * How Svix may deliver `count` messages: each one to three times (duplicates and
 * re-signed retries), all shuffled, grouped into concurrent batches.
 */
export function deliveryPlanArbitrary(count: number, bounds: Bounds): fc.Arbitrary<DeliveryPlan> {
  const attempt = (event: number) =>
    fc.record({
      event: fc.constant(event),
      signedAtOffset: fc.integer({ min: -240, max: 240 }),
      headerStyle: fc.constantFrom<Attempt["headerStyle"]>("svix", "svix", "webhook"),
      previousSecret: fc.boolean(),
      instance: fc.integer({ min: 0, max: 1 }),
    });
  const copies = Array.from({ length: count }, (_, event) =>
    fc.array(attempt(event), { minLength: 1, maxLength: bounds.maxCopies, depthIdentifier: "copies" }));
  return fc.tuple(...copies)
    .chain((perEvent) => {
      const all = perEvent.flat();
      return fc.tuple(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.array(fc.integer({ min: 1, max: bounds.maxBatch }), { minLength: all.length, maxLength: all.length }),
      );
    })
    .map(([order, sizes]) => {
      const batches: DeliveryPlan = [];
      for (let i = 0, b = 0; i < order.length; b++) {
        batches.push(order.slice(i, i + sizes[b]));
        i += sizes[b];
      }
      return batches;
    });
}

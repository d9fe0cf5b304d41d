/**
 * Issue 10, finding 3: the ledger kept private data that the docs say is never stored.
 * Each test signs the event an attacker (or just Clerk) would send, delivers it through
 * the gateway and the real function, and reads the ledger row back as the superuser.
 *
 *   - private_metadata and unsafe_metadata nested below `data` (a membership's
 *     organization, a user's organization_memberships[], a session's user) were kept;
 *   - event types the sync does not store were kept whole: an email.created with its
 *     one-time code, a session with the end user's IP address and city.
 */
import { describe, expect, inject, it } from "vitest";
import { envelope, membershipJSON, organizationJSON, sessionJSON, userJSON } from "../../scripts/simulator/payloads.ts";
import { clerkId, database, deliverEvent } from "../support/clients.ts";
import { keysAtEveryDepth } from "../support/json.ts";

const stack = inject("stack");
const db = database(stack);
const tag = Date.now().toString(36).slice(-6);

/** The ledger row of one message, whole, as the superuser reads it. */
async function ledgerRow(svixId: string) {
  const { rows } = await db.query("select *, row_to_json(e)::text as whole from public.clerk_events e where svix_id = $1", [svixId]);
  expect(rows, `ledger row of ${svixId}`).toHaveLength(1);
  return rows[0] as { outcome: string; type: string; object_id: string | null; payload: unknown; whole: string };
}

const hidden = (label: string) => ({ note: `${label}-${tag}` });

describe("private and unsafe metadata are kept at no depth of a stored payload", () => {
  const ada = {
    ...userJSON({ id: `user_ledgerAda${tag}`, firstName: "Ada" }),
    private_metadata: hidden("USERPRIVATE"),
    unsafe_metadata: hidden("USERUNSAFE"),
  };
  const acme = { ...organizationJSON({ id: `org_ledgerAcme${tag}`, name: "Acme", createdBy: ada.id }), private_metadata: hidden("ORGPRIVATE"), unsafe_metadata: hidden("ORGUNSAFE") };

  it("in a membership: its own, its organization's and its user's", async () => {
    const membership = {
      ...membershipJSON({ id: `orgmem_ledger${tag}`, organization: acme, user: ada }),
      private_metadata: hidden("MEMPRIVATE"),
      unsafe_metadata: hidden("MEMUNSAFE"),
    };
    membership.public_user_data = { ...membership.public_user_data, private_metadata: hidden("PUDPRIVATE"), unsafe_metadata: hidden("PUDUNSAFE") } as never;
    const id = clerkId("msg");
    expect((await deliverEvent(stack, envelope("organizationMembership.created", membership), id)).status).toBe(200);

    const row = await ledgerRow(id);
    expect(row.outcome).toBe("applied");
    expect(row.payload, "the payload is kept (LEDGER_PAYLOADS=all)").toMatchObject({ data: { id: membership.id, organization: { id: acme.id } } });
    const keys = keysAtEveryDepth(row.payload);
    expect(keys.has("private_metadata"), "private_metadata at some depth").toBe(false);
    expect(keys.has("unsafe_metadata"), "unsafe_metadata at some depth").toBe(false);
    for (const label of ["MEMPRIVATE", "MEMUNSAFE", "ORGPRIVATE", "ORGUNSAFE", "PUDPRIVATE", "PUDUNSAFE"]) {
      expect(row.whole, `${label} is stored nowhere in the row`).not.toContain(`${label}-${tag}`);
    }
  });

  it("in a user: inside every entry of organization_memberships[] and the organizations they embed", async () => {
    const membership = { ...membershipJSON({ organization: acme, user: ada }), private_metadata: hidden("LISTPRIVATE"), unsafe_metadata: hidden("LISTUNSAFE") };
    const user = { ...ada, organization_memberships: [membership] };
    const id = clerkId("msg");
    expect((await deliverEvent(stack, envelope("user.updated", user), id)).status).toBe(200);

    const row = await ledgerRow(id);
    expect(row.outcome).toBe("applied");
    expect(row.payload).toMatchObject({ data: { id: ada.id, organization_memberships: [{ id: membership.id, organization: { id: acme.id } }] } });
    const keys = keysAtEveryDepth(row.payload);
    expect(keys.has("private_metadata"), "private_metadata at some depth").toBe(false);
    expect(keys.has("unsafe_metadata"), "unsafe_metadata at some depth").toBe(false);
    for (const label of ["USERPRIVATE", "USERUNSAFE", "LISTPRIVATE", "LISTUNSAFE", "ORGPRIVATE", "ORGUNSAFE"]) {
      expect(row.whole, `${label} is stored nowhere in the row`).not.toContain(`${label}-${tag}`);
    }
  });
});

describe("an event type the sync does not store leaves only its id, type and object id", () => {
  it("email.created with a one-time code", async () => {
    const code = `${Math.floor(100000 + Math.random() * 899999)}`;
    const email = {
      object: "email",
      id: `ema_ledger${tag}`,
      slug: "verification_code",
      to_email_address: `otp.${tag}@private.example`,
      subject: `${code} is your verification code`,
      body: `<p>Your code is ${code}</p>`,
      data: { otp_code: code },
      status: "queued",
    };
    const id = clerkId("msg");
    expect((await deliverEvent(stack, envelope("email.created", email), id)).body).toEqual({ outcome: "ignored" });

    const row = await ledgerRow(id);
    expect(row).toMatchObject({ outcome: "ignored", type: "email.created", object_id: email.id, payload: null });
    expect(row.whole).not.toContain(code);
    expect(row.whole).not.toContain(email.to_email_address);
  });

  it("session.created with the end user's IP address and city, and no user: ignored, and only its id, type and object id stored", async () => {
    const session = {
      ...sessionJSON({ userId: `user_ledgerBare${tag}` }),
      latest_activity: { ip_address: "198.51.100.24", city: `Akureyri${tag}`, country: "IS", browser_name: "Firefox" },
      user: null,
    };
    const event = { ...envelope("session.created", session), event_attributes: { http_request: { client_ip: "198.51.100.24", user_agent: `BareAgent/${tag}` } } };
    const id = clerkId("msg");
    expect((await deliverEvent(stack, event, id)).body).toEqual({ outcome: "ignored" });

    const row = await ledgerRow(id);
    expect(row).toMatchObject({ outcome: "ignored", type: "session.created", object_id: session.id, payload: null });
    for (const trace of ["198.51.100.24", `Akureyri${tag}`, `BareAgent/${tag}`]) {
      expect(row.whole, `${trace} is stored nowhere in the row`).not.toContain(trace);
    }
  });

  it("session.created with the end user's IP address, city and whole user: the user is applied, and the session's own fields are stored nowhere", async () => {
    const session = {
      ...sessionJSON({ userId: `user_ledgerSess${tag}` }),
      latest_activity: { ip_address: "198.51.100.23", city: `Reykjavik${tag}`, country: "IS", browser_name: "Firefox" },
      user: { ...userJSON({ id: `user_ledgerSess${tag}`, email: `sess.${tag}@private.example` }), private_metadata: hidden("SESSPRIVATE") },
    };
    const event = { ...envelope("session.created", session), event_attributes: { http_request: { client_ip: "198.51.100.23", user_agent: `Agent/${tag}` } } };
    const id = clerkId("msg");
    expect((await deliverEvent(stack, event, id)).body).toEqual({ outcome: "applied" });

    const row = await ledgerRow(id);
    expect(row).toMatchObject({ outcome: "applied", type: "session.created", object_id: session.id });
    // What a replay needs: the user, as a user.updated would carry it (its email included, as for every user event).
    expect((row.payload as { data: { user: { id: string } } }).data.user.id).toBe(`user_ledgerSess${tag}`);
    for (const trace of ["198.51.100.23", `Reykjavik${tag}`, `Agent/${tag}`, `SESSPRIVATE-${tag}`, "latest_activity"]) {
      expect(row.whole, `${trace} is stored nowhere in the row`).not.toContain(trace);
    }
  });
});

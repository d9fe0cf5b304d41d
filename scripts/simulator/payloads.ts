/**
 * Clerk webhook payloads in Clerk's own shapes, for the simulator, the demo seed and the
 * tests. The shapes follow @clerk/backend's JSON types (UserJSON, OrganizationJSON,
 * OrganizationMembershipJSON, DeletedObjectJSON in
 * node_modules/@clerk/backend/dist/api/resources/JSON.d.ts).
 */
import { clerkId } from "./ids.ts";

export interface UserJSON {
  object: "user";
  id: string;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  primary_web3_wallet_id: string | null;
  email_addresses: Array<{
    object: "email_address";
    id: string;
    email_address: string;
    verification: { status: string; strategy: string } | null;
    linked_to: Array<{ type: string; id: string }>;
  }>;
  phone_numbers: unknown[];
  web3_wallets: unknown[];
  external_accounts: unknown[];
  external_id: string | null;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  unsafe_metadata: Record<string, unknown>;
  password_enabled: boolean;
  two_factor_enabled: boolean;
  banned: boolean;
  locked: boolean;
  locale: string | null;
  delete_self_enabled: boolean;
  create_organization_enabled: boolean;
  legal_accepted_at: number | null;
  last_sign_in_at: number | null;
  last_active_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OrganizationJSON {
  object: "organization";
  id: string;
  name: string;
  slug: string;
  image_url: string;
  has_image: boolean;
  members_count: number;
  max_allowed_memberships: number;
  admin_delete_enabled: boolean;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface OrganizationMembershipJSON {
  object: "organization_membership";
  id: string;
  role: string;
  permissions: string[];
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  organization: OrganizationJSON;
  public_user_data: {
    user_id: string;
    identifier: string;
    first_name: string | null;
    last_name: string | null;
    image_url: string;
    has_image: boolean;
  };
}

export interface DeletedObjectJSON {
  object: string;
  id: string;
  deleted: true;
}

export interface ClerkEventEnvelope<T = unknown> {
  data: T;
  object: "event";
  type: string;
  /** Unix milliseconds: when the event happened. */
  timestamp: number;
  instance_id: string;
  event_attributes: { http_request: { client_ip: string; user_agent: string } };
}

export const defaultInstanceId = "ins_2LocalSimulatorInstance00000";

export interface UserInput {
  id?: string;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  email?: string | null;
  imageUrl?: string;
  publicMetadata?: Record<string, unknown>;
  createdAt?: number;
  random?: () => number;
}

export function userJSON(input: UserInput = {}): UserJSON {
  const now = input.createdAt ?? Date.now();
  const id = input.id ?? clerkId("user", input.random);
  const emailId = clerkId("idn", input.random);
  const email = input.email === undefined ? `${(input.username ?? id).toLowerCase()}@example.com` : input.email;
  return {
    object: "user",
    id,
    username: input.username ?? null,
    first_name: input.firstName ?? null,
    last_name: input.lastName ?? null,
    image_url: input.imageUrl ?? `https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9?user=${id}`,
    has_image: input.imageUrl !== undefined,
    primary_email_address_id: email ? emailId : null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    email_addresses: email
      ? [{
        object: "email_address",
        id: emailId,
        email_address: email,
        verification: { status: "verified", strategy: "email_code" },
        linked_to: [],
      }]
      : [],
    phone_numbers: [],
    web3_wallets: [],
    external_accounts: [],
    external_id: null,
    public_metadata: input.publicMetadata ?? {},
    private_metadata: { stripe_customer_id: `cus_${id.slice(-12)}` },
    unsafe_metadata: {},
    password_enabled: false,
    two_factor_enabled: false,
    banned: false,
    locked: false,
    locale: null,
    delete_self_enabled: true,
    create_organization_enabled: true,
    legal_accepted_at: null,
    last_sign_in_at: null,
    last_active_at: null,
    created_at: now,
    updated_at: now,
  };
}

export function organizationJSON(input: { id?: string; name: string; slug?: string; createdBy: string; createdAt?: number; imageUrl?: string }): OrganizationJSON {
  const now = input.createdAt ?? Date.now();
  return {
    object: "organization",
    id: input.id ?? clerkId("org"),
    name: input.name,
    slug: input.slug ?? input.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
    image_url: input.imageUrl ?? "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9",
    has_image: input.imageUrl !== undefined,
    members_count: 1,
    max_allowed_memberships: 5,
    admin_delete_enabled: true,
    public_metadata: {},
    private_metadata: {},
    created_by: input.createdBy,
    created_at: now,
    updated_at: now,
  };
}

export function membershipJSON(input: { id?: string; organization: OrganizationJSON; user: UserJSON; role?: string; createdAt?: number }): OrganizationMembershipJSON {
  const now = input.createdAt ?? Date.now();
  const primary = input.user.email_addresses.find((e) => e.id === input.user.primary_email_address_id);
  return {
    object: "organization_membership",
    id: input.id ?? clerkId("orgmem"),
    role: input.role ?? "org:member",
    permissions: input.role === "org:admin"
      ? ["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:manage"]
      : ["org:sys_memberships:read"],
    public_metadata: {},
    private_metadata: {},
    created_at: now,
    updated_at: now,
    organization: input.organization,
    public_user_data: {
      user_id: input.user.id,
      identifier: primary?.email_address ?? input.user.username ?? input.user.id,
      first_name: input.user.first_name,
      last_name: input.user.last_name,
      image_url: input.user.image_url,
      has_image: input.user.has_image,
    },
  };
}

/** A SessionJSON; current payloads embed the whole user (`user: UserJSON | null`). */
export function sessionJSON(input: { userId: string; status?: string; now?: number; user?: UserJSON | null }) {
  const now = input.now ?? Date.now();
  return {
    object: "session",
    id: clerkId("sess"),
    user_id: input.userId,
    client_id: clerkId("sess").replace("sess_", "client_"),
    status: input.status ?? "active",
    last_active_at: now,
    expire_at: now + 7 * 24 * 3600 * 1000,
    abandon_at: now + 30 * 24 * 3600 * 1000,
    created_at: now,
    updated_at: now,
    user: input.user ?? null,
  };
}

export function deletedJSON(object: string, id: string): DeletedObjectJSON {
  return { object, id, deleted: true };
}

/** Wraps data in Clerk's event envelope. `timestamp` is when the event happened (ms). */
export function envelope<T>(type: string, data: T, timestamp = Date.now(), instanceId = defaultInstanceId): ClerkEventEnvelope<T> {
  return {
    data,
    object: "event",
    type,
    timestamp,
    instance_id: instanceId,
    event_attributes: { http_request: { client_ip: "203.0.113.7", user_agent: "Mozilla/5.0 (clerk-simulator)" } },
  };
}

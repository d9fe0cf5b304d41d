/**
 * The parts of Clerk's webhook JSON this sync reads, as documented by
 * `@clerk/backend`'s JSON types. Fields the sync never reads are left out on purpose:
 * a payload is trusted for what it is signed, not for what it claims to hold, so every
 * field read here is checked at runtime in events.ts and mappers.ts.
 */

/** The envelope of every Clerk webhook event. */
export interface ClerkEvent<T = unknown> {
  /** The changed object: UserJSON, DeletedObjectJSON, OrganizationJSON, … */
  data: T;
  object: "event";
  /** e.g. `user.created`. Clerk adds types over time. */
  type: string;
  /** When the event happened, in Unix milliseconds: the event clock. */
  timestamp?: number;
  /** The Clerk instance that sent it (`ins_…`). */
  instance_id?: string;
}

export interface EmailAddressJSON {
  id: string;
  email_address: string;
  verification?: { status: string; strategy: string } | null;
}

export interface UserJSON {
  object?: "user";
  id: string;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  image_url?: string | null;
  has_image?: boolean;
  primary_email_address_id?: string | null;
  email_addresses?: EmailAddressJSON[];
  public_metadata?: Record<string, unknown> | null;
  /** Never copied anywhere a user can read. */
  private_metadata?: Record<string, unknown> | null;
  unsafe_metadata?: Record<string, unknown> | null;
  /** Unix milliseconds. */
  created_at?: number;
  /** Unix milliseconds. */
  updated_at?: number;
}

/** `user.deleted`, `organization.deleted`. Carries no `updated_at`. */
export interface DeletedObjectJSON {
  object?: string;
  id: string;
  deleted: true;
}

import type { Country } from "../data/countries/index.ts";
import type { MyProfile } from "../data/my-profile/index.ts";
import type { MyOrganization, OrganizationMember, PublicOrganization } from "../data/organizations/index.ts";
import type { PublicProfile } from "../data/profiles/index.ts";
import type { SyncHealthReport } from "../data/sync-health/index.ts";

export const countries: Country[] = [
  { code: "DE", name: "Germany" },
  { code: "GB", name: "United Kingdom" },
  { code: "SE", name: "Sweden" },
];

export function publicProfile(overrides: Partial<PublicProfile> = {}): PublicProfile {
  return {
    clerk_id: "user_2AdaLovelace",
    username: "ada",
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: null,
    bio: "Wrote the first program.",
    country: "GB",
    birthday: null,
    created_at: "2026-08-01T10:00:00.000000+00:00",
    ...overrides,
  };
}

export function myProfile(overrides: Partial<MyProfile> = {}): MyProfile {
  return {
    clerk_id: "user_2AdaLovelace",
    username: "ada",
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: null,
    email: "ada@example.com",
    public_metadata: {},
    clerk_created_at: "2026-08-01T10:00:00.000000+00:00",
    clerk_updated_at: "2026-08-01T10:00:00.000000+00:00",
    bio: "Wrote the first program.",
    birthday: "1915-12-10",
    birthday_public: false,
    country: "GB",
    ...overrides,
  };
}

export function publicOrganization(overrides: Partial<PublicOrganization> = {}): PublicOrganization {
  return {
    clerk_id: "org_2Analytical",
    name: "Analytical Engines",
    slug: "analytical-engines",
    image_url: null,
    created_at: "2026-08-01T10:00:00.000000+00:00",
    members_count: 2,
    ...overrides,
  };
}

export function organizationMember(overrides: Partial<OrganizationMember> = {}): OrganizationMember {
  return {
    membership_id: "orgmem_2AdaAnalytical",
    organization_id: "org_2Analytical",
    user_id: "user_2AdaLovelace",
    role: "org:admin",
    joined_at: "2026-08-01T10:00:00.000000+00:00",
    username: "ada",
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: null,
    ...overrides,
  };
}

export function myOrganization(overrides: Partial<MyOrganization> = {}): MyOrganization {
  return {
    organization_id: "org_2Analytical",
    name: "Analytical Engines",
    slug: "analytical-engines",
    image_url: null,
    members_count: 2,
    role: "org:admin",
    joined_at: "2026-08-01T10:00:00.000000+00:00",
    ...overrides,
  };
}

/** A report as sync_health_report answers it: a quiet hour with a few events and one failure. */
export function healthReport(overrides: Partial<SyncHealthReport> = {}): SyncHealthReport {
  const now = Date.parse("2026-11-22T12:00:00Z");
  const per_minute = Array.from({ length: 60 }, (_, i) => ({
    minute: new Date(now - (59 - i) * 60_000).toISOString(),
    applied: i % 3 === 0 ? 4 : 1,
    stale: i === 10 ? 2 : 0,
    ignored: i === 20 ? 1 : 0,
    failed: i === 30 ? 1 : 0,
  }));
  return {
    generated_at: new Date(now).toISOString(),
    window_minutes: 60,
    stale_after_seconds: 3600,
    last_event_received_at: new Date(now - 42_000).toISOString(),
    last_event_at: new Date(now - 42_300).toISOString(),
    last_event_age_seconds: 42,
    stalled: false,
    lag_seconds: { p50: 0.21, p95: 1.4, max: 3.2, last: 0.3 },
    per_minute,
    redelivered_in_window: 3,
    api_rows_in_window: { backfill: 0, reconcile: 0, pull: 0 },
    failed_count: 1,
    failed: [
      {
        svix_id: "msg_2FailedOne",
        type: "user.created",
        object_id: "user_2Poisoned",
        source: "webhook",
        event_at: new Date(now - 1_800_000).toISOString(),
        received_at: new Date(now - 1_799_000).toISOString(),
        attempts: 1,
        error: '23514: new row for relation "profiles" violates check constraint "test_poison"',
      },
    ],
    ledger_rows: 1234,
    ledger_bytes: 2_345_678,
    ...overrides,
  };
}

import type { Country } from "../data/countries/index.ts";
import type { MyProfile } from "../data/my-profile/index.ts";
import type { PublicProfile } from "../data/profiles/index.ts";

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

import type { Database } from "../supabase.ts";

type ProfileRow = Database["public"]["Tables"]["profiles"]["Row"];

/** The signed-in user's own row: Clerk-owned fields (read-only here) and their own fields. */
export type MyProfile = Pick<
  ProfileRow,
  | "clerk_id"
  | "username"
  | "first_name"
  | "last_name"
  | "image_url"
  | "email"
  | "public_metadata"
  | "clerk_created_at"
  | "clerk_updated_at"
  | "bio"
  | "birthday"
  | "birthday_public"
  | "country"
>;

/** The columns the owner may update (the column grants of profiles). */
export type ProfilePatch = Pick<Database["public"]["Tables"]["profiles"]["Update"], "bio" | "birthday" | "birthday_public" | "country">;

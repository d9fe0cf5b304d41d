import type { ProfileColumn } from "../../../../supabase/functions/_shared/columns.ts";
import type { Database } from "../supabase.ts";

type Profiles = Database["public"]["Tables"]["profiles"];

/** The columns the owner may update (the column grants of profiles). */
export const ownProfileColumns = ["bio", "birthday", "birthday_public", "country"] as const;
export type OwnProfileColumn = (typeof ownProfileColumns)[number];

/** The signed-in user's own row: Clerk-owned fields (read-only here) and their own fields. */
export type MyProfile = Pick<Profiles["Row"], ProfileColumn | OwnProfileColumn>;

/** What the owner may write. */
export type ProfilePatch = Pick<Profiles["Update"], OwnProfileColumn>;

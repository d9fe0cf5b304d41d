import { columnList, profileColumns } from "../../../../supabase/functions/_shared/columns.ts";
import type { Supabase } from "../supabase.ts";
import { type MyProfile, ownProfileColumns, type ProfilePatch } from "./types.ts";

/** The Clerk-owned columns, then the user's own: every column of MyProfile. */
export const myProfileColumns = columnList([...profileColumns, ...ownProfileColumns]);

/**
 * The signed-in user's live row, or null when it is not there: not synced yet (the
 * webhook can arrive after the first sign-in), or tombstoned (deleted in Clerk). Either
 * way the page asks Clerk through clerk-sync-self. RLS shows a user only their own row.
 */
export async function fetchMyProfile(client: Supabase, userId: string): Promise<MyProfile | null> {
  const { data, error } = await client.from("profiles").select(myProfileColumns).eq("clerk_id", userId).is("deleted_at", null).maybeSingle();
  if (error) throw error;
  return data;
}

/** Writes the user's own fields and returns the row as stored. */
export async function updateMyProfile(client: Supabase, userId: string, patch: ProfilePatch): Promise<MyProfile> {
  const { data, error } = await client.from("profiles").update(patch).eq("clerk_id", userId).select(myProfileColumns).single();
  if (error) throw error;
  return data;
}

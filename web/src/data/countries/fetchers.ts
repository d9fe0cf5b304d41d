import type { Database, Supabase } from "../supabase.ts";

export type Country = Database["public"]["Tables"]["countries"]["Row"];

/** Every ISO country, by name: the same list profiles.country must be in. */
export async function fetchCountries(client: Supabase): Promise<Country[]> {
  const { data, error } = await client.from("countries").select("code, name").order("name");
  if (error) throw error;
  return data;
}

import { queryOptions } from "@tanstack/react-query";
import type { Supabase } from "../supabase.ts";
import { fetchCountries } from "./fetchers.ts";
import { countryKeys } from "./keys.ts";

export function countriesQueryOptions(client: Supabase) {
  return queryOptions({
    queryKey: countryKeys.list(),
    queryFn: () => fetchCountries(client),
    // Reference data: it changes with a migration, not while the page is open.
    staleTime: Infinity,
    gcTime: Infinity,
  });
}

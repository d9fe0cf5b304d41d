import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useSupabase } from "../SupabaseProvider.tsx";
import type { Country } from "./fetchers.ts";
import { countriesQueryOptions } from "./queries.ts";

export function useCountriesQuery() {
  const client = useSupabase();
  return useQuery(countriesQueryOptions(client));
}

/** Country names by code, empty until the list has loaded. */
export function useCountryNames(): Map<string, string> {
  const { data } = useCountriesQuery();
  return useMemo(() => new Map((data ?? []).map((country: Country) => [country.code, country.name])), [data]);
}

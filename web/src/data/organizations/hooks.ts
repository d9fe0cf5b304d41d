import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useSupabase } from "../SupabaseProvider.tsx";
import {
  myOrganizationsQueryOptions,
  organizationMembersQueryOptions,
  organizationsDirectoryQueryOptions,
  publicOrganizationQueryOptions,
} from "./queries.ts";

/** The directory for this search; while a new search loads, the previous results stay on screen. */
export function useOrganizationsDirectoryQuery(search: string) {
  const client = useSupabase();
  return useInfiniteQuery({ ...organizationsDirectoryQueryOptions(client, search), placeholderData: keepPreviousData });
}

export function usePublicOrganizationQuery(organizationId: string) {
  const client = useSupabase();
  return useQuery(publicOrganizationQueryOptions(client, organizationId));
}

/** Members as `viewerId` may see them; off while `viewerId` is null (visitors may not ask). */
export function useOrganizationMembersQuery(viewerId: string | null, organizationId: string) {
  const client = useSupabase();
  return useQuery({ ...organizationMembersQueryOptions(client, viewerId ?? "", organizationId), enabled: viewerId !== null });
}

export function useMyOrganizationsQuery(viewerId: string) {
  const client = useSupabase();
  return useQuery(myOrganizationsQueryOptions(client, viewerId));
}

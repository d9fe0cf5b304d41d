import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { Supabase } from "../supabase.ts";
import { fetchMyOrganizations, fetchOrganizationMembers, fetchOrganizationsPage, fetchPublicOrganization } from "./fetchers.ts";
import { organizationKeys } from "./keys.ts";

export function organizationsDirectoryQueryOptions(client: Supabase, search: string) {
  return infiniteQueryOptions({
    queryKey: organizationKeys.directory(search),
    queryFn: ({ pageParam }) => fetchOrganizationsPage(client, search, pageParam),
    initialPageParam: 0,
    getNextPageParam: (lastPage) => lastPage.nextOffset,
  });
}

export function publicOrganizationQueryOptions(client: Supabase, organizationId: string) {
  return queryOptions({
    queryKey: organizationKeys.detail(organizationId),
    queryFn: () => fetchPublicOrganization(client, organizationId),
  });
}

export function organizationMembersQueryOptions(client: Supabase, viewerId: string, organizationId: string) {
  return queryOptions({
    queryKey: organizationKeys.members(viewerId, organizationId),
    queryFn: () => fetchOrganizationMembers(client, organizationId),
  });
}

export function myOrganizationsQueryOptions(client: Supabase, viewerId: string) {
  return queryOptions({
    queryKey: organizationKeys.mine(viewerId),
    queryFn: () => fetchMyOrganizations(client),
  });
}

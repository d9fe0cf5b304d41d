import type { Supabase } from "../supabase.ts";
import type { MyOrganization, OrganizationMember, OrganizationsPage, PublicOrganization } from "./types.ts";

export const organizationsPageSize = 24;

/** More members than this are not listed on one page; the page says so. */
export const membersListLimit = 500;

/** Every column of public_organizations, named so a new column is a decision. */
export const publicOrganizationColumns = "clerk_id, name, slug, image_url, created_at, members_count";
export const organizationMemberColumns = "membership_id, organization_id, user_id, role, joined_at, username, first_name, last_name, image_url";
export const myOrganizationColumns = "organization_id, name, slug, image_url, members_count, role, joined_at";

/** `%` and `_` typed in the search box are letters, not wildcards. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * One page of the directory, by name, optionally only names containing `search`. Asks
 * for one row more than it shows, to know whether another page exists.
 */
export async function fetchOrganizationsPage(
  client: Supabase,
  search: string,
  offset: number,
  pageSize = organizationsPageSize,
): Promise<OrganizationsPage> {
  let query = client.from("public_organizations").select(publicOrganizationColumns);
  if (search.trim()) query = query.ilike("name", likePattern(search.trim()));
  const { data, error } = await query
    .order("name", { ascending: true, nullsFirst: false })
    .order("clerk_id")
    .range(offset, offset + pageSize);
  if (error) throw error;
  return {
    organizations: data.slice(0, pageSize),
    nextOffset: data.length > pageSize ? offset + pageSize : null,
  };
}

/** One organization's public information, or null when there is none (never synced, or deleted). */
export async function fetchPublicOrganization(client: Supabase, organizationId: string): Promise<PublicOrganization | null> {
  const { data, error } = await client
    .from("public_organizations")
    .select(publicOrganizationColumns)
    .eq("clerk_id", organizationId)
    .maybeSingle();
  if (error) throw error;
  return data;
}

/**
 * The organization's members, oldest first, as the signed-in user may see them: RLS
 * shows them only to members, so a non-member gets an empty list (never an error).
 */
export async function fetchOrganizationMembers(client: Supabase, organizationId: string): Promise<OrganizationMember[]> {
  const { data, error } = await client
    .from("organization_members")
    .select(organizationMemberColumns)
    .eq("organization_id", organizationId)
    .order("joined_at", { ascending: true, nullsFirst: false })
    .order("membership_id")
    .limit(membersListLimit);
  if (error) throw error;
  return data;
}

/** The signed-in user's organizations, by name. */
export async function fetchMyOrganizations(client: Supabase): Promise<MyOrganization[]> {
  const { data, error } = await client
    .from("my_organizations")
    .select(myOrganizationColumns)
    .order("name", { ascending: true, nullsFirst: false })
    .order("organization_id");
  if (error) throw error;
  return data;
}

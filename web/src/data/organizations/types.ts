import type { Database } from "../supabase.ts";

type Views = Database["public"]["Views"];

/** An organization as anyone may see it: the public_organizations view's row. */
export type PublicOrganization = Views["public_organizations"]["Row"];

/** A member, as members of the same organization see them (organization_members). */
export type OrganizationMember = Views["organization_members"]["Row"];

/** One of the signed-in user's organizations, with their role in it (my_organizations). */
export type MyOrganization = Views["my_organizations"]["Row"];

export interface OrganizationsPage {
  organizations: PublicOrganization[];
  /** Where the next page starts; null on the last page. */
  nextOffset: number | null;
}

/**
 * The Clerk-owned columns of each synced table, written once. The mappers' row types
 * are picked from the generated table types with these lists (mappers.ts), the
 * dashboard selects and types the signed-in user's row with profileColumns, and tests
 * read rows back with them. Adding a Clerk field to a table: add its column here, map it
 * in mappers.ts, and the compiler points at anything else that must know.
 *
 * No imports on purpose: the dashboard bundles this file.
 */

/** `profiles`: what a user sync writes, and nothing else. */
export const profileColumns = [
  "clerk_id",
  "username",
  "first_name",
  "last_name",
  "image_url",
  "email",
  "public_metadata",
  "clerk_created_at",
  "clerk_updated_at",
] as const;

/** `organizations`. */
export const organizationColumns = [
  "clerk_id",
  "name",
  "slug",
  "image_url",
  "public_metadata",
  "created_by",
  "clerk_created_at",
  "clerk_updated_at",
] as const;

/** `organization_memberships`. */
export const membershipColumns = [
  "clerk_id",
  "organization_id",
  "user_id",
  "role",
  "permissions",
  "public_metadata",
  "first_name",
  "last_name",
  "image_url",
  "clerk_created_at",
  "clerk_updated_at",
] as const;

export type ProfileColumn = (typeof profileColumns)[number];
export type OrganizationColumn = (typeof organizationColumns)[number];
export type MembershipColumn = (typeof membershipColumns)[number];

/** `"a, b, c"` as a literal type, so supabase-js can type a select of a column list. */
export type ColumnList<T extends readonly string[]> = T extends readonly [infer Only extends string]
  ? Only
  : T extends readonly [infer First extends string, ...infer Rest extends readonly string[]]
    ? `${First}, ${ColumnList<Rest>}`
    : string;

/** The columns as a PostgREST select list, typed as that very string. */
export function columnList<const T extends readonly string[]>(columns: T): ColumnList<T> {
  return columns.join(", ") as ColumnList<T>;
}

/**
 * Query keys of organizations. Public data sits under `directories` and `details`; what
 * only one signed-in user may see (member lists, their own organizations) sits under
 * `viewer(userId)`, so it can be forgotten when someone else signs in (see App.tsx).
 */
export const organizationKeys = {
  all: ["organizations"] as const,
  directories: () => [...organizationKeys.all, "directory"] as const,
  directory: (search: string) => [...organizationKeys.directories(), { search }] as const,
  details: () => [...organizationKeys.all, "detail"] as const,
  detail: (organizationId: string) => [...organizationKeys.details(), organizationId] as const,
  viewers: () => [...organizationKeys.all, "viewer"] as const,
  viewer: (viewerId: string) => [...organizationKeys.viewers(), viewerId] as const,
  members: (viewerId: string, organizationId: string) => [...organizationKeys.viewer(viewerId), "members", organizationId] as const,
  mine: (viewerId: string) => [...organizationKeys.viewer(viewerId), "mine"] as const,
};

interface Named {
  first_name: string | null;
  last_name: string | null;
  username: string | null;
}

/** "Ada Lovelace", else the username, else a neutral placeholder. */
export function displayName(person: Named): string {
  const full = [person.first_name, person.last_name].filter(Boolean).join(" ").trim();
  return full || person.username || "Unnamed user";
}

/** Up to two initials of the display name, for the avatar fallback. */
export function initials(name: string): string {
  const letters = name
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0]!.toUpperCase());
  return letters.join("") || "?";
}

/** An organization's name, else its slug, else a neutral placeholder. */
export function organizationName(organization: { name: string | null; slug: string | null }): string {
  return organization.name?.trim() || organization.slug || "Unnamed organization";
}

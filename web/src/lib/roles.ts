/** A Clerk role key for people: "org:admin" → "Admin", "org:billing_manager" → "Billing manager". */
export function roleLabel(role: string | null): string {
  if (!role) return "Member";
  const words = role.replace(/^org:/, "").replace(/[_-]+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "Member";
}

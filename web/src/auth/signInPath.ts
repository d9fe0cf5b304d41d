import { useLocation } from "react-router";

/** Clerk's own name for it, so Clerk's <SignIn> reads the same parameter. */
const returnParam = "redirect_url";
const defaultReturn = "/me";

/** /sign-in, remembering the page to come back to. */
export function signInPath(returnTo: string): string {
  return `/sign-in?${new URLSearchParams({ [returnParam]: returnTo })}`;
}

/**
 * Where to go after signing in: the remembered page when it is a path on this site (a
 * link from elsewhere cannot send someone off-site), else My profile.
 */
export function returnPathFrom(search: string): string {
  const value = new URLSearchParams(search).get(returnParam);
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : defaultReturn;
}

/** The sign-in link for the current page (on /sign-in itself, the page it will return to). */
export function useSignInPath(): string {
  const { pathname, search, hash } = useLocation();
  return signInPath(pathname === "/sign-in" ? returnPathFrom(search) : `${pathname}${search}${hash}`);
}

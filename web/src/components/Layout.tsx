import { useEffect } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../auth/auth.ts";
import "./Layout.css";

/** Header, navigation and the page. */
export function Layout() {
  const { AccountControl, mode, isAdmin } = useAuth();
  const { pathname } = useLocation();
  // A new page starts at its top (the router keeps the scroll position otherwise).
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <NavLink to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              ⇄
            </span>
            <span className="brand__name">Profiles</span>
          </NavLink>
          <nav aria-label="Main" className="site-nav">
            <NavLink to="/" end className="site-nav__link">
              Feed
            </NavLink>
            <NavLink to="/orgs" className="site-nav__link">
              Organizations
            </NavLink>
            <NavLink to="/me" className="site-nav__link">
              My profile
            </NavLink>
            {isAdmin ? (
              <NavLink to="/admin/health" className="site-nav__link">
                Sync health
              </NavLink>
            ) : null}
          </nav>
          <div className="site-header__account">
            {mode === "local" ? (
              <span className="badge badge--local" title="Signed in through the local stack's dev tokens, not Clerk">
                Local
              </span>
            ) : null}
            <AccountControl />
          </div>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Profiles sync from Clerk to Supabase. Names, usernames and photos are managed in Clerk.</p>
      </footer>
    </>
  );
}

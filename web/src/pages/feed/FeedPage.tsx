import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { CardSkeletons, EmptyState, ErrorState, Spinner } from "../../components/States.tsx";
import { ProfileCard } from "../../components/ProfileCard.tsx";
import { useCountriesQuery } from "../../data/countries/index.ts";
import { type FeedFilters, useFeedQuery } from "../../data/profiles/index.ts";
import { countryOptionLabel } from "../../lib/flags.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { useWhenVisible } from "../../lib/useWhenVisible.ts";

/** The public feed: everyone, newest first, with search, a country filter and infinite scroll. */
export function FeedPage() {
  const [params, setParams] = useSearchParams();
  // The URL holds the applied filters, so a search can be shared, reloaded and reached
  // with Back. The box holds what is being typed; it reaches the URL 250 ms after the
  // last key.
  const urlSearch = params.get("q") ?? "";
  const country = params.get("country") || null;
  const [searchText, setSearchText] = useState(urlSearch);
  const written = useRef(urlSearch);
  useDocumentTitle(null);

  useEffect(() => {
    const search = searchText.trim();
    if (search === written.current) return;
    const timer = setTimeout(() => {
      written.current = search;
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (search) next.set("q", search);
          else next.delete("q");
          return next;
        },
        { replace: true },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [searchText, setParams]);

  // Back, Forward or a link changed the search: show it in the box.
  useEffect(() => {
    if (urlSearch === written.current) return;
    written.current = urlSearch;
    setSearchText(urlSearch);
  }, [urlSearch]);

  const setCountry = (code: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (code) next.set("country", code);
      else next.delete("country");
      return next;
    });

  const filters = useMemo<FeedFilters>(() => ({ search: urlSearch, country }), [urlSearch, country]);
  const clearFilters = () => {
    written.current = "";
    setSearchText("");
    setParams(new URLSearchParams(), { replace: true });
  };

  return (
    <section aria-labelledby="feed-title">
      <div className="page-header">
        <h1 id="feed-title">People</h1>
        <p className="page-header__lead">Everyone who has signed up, newest first.</p>
      </div>
      <FeedToolbar searchText={searchText} onSearchText={setSearchText} country={country} onCountry={setCountry} />
      <FeedResults filters={filters} onClearFilters={clearFilters} />
    </section>
  );
}

interface ToolbarProps {
  searchText: string;
  onSearchText: (text: string) => void;
  country: string | null;
  onCountry: (code: string | null) => void;
}

function FeedToolbar({ searchText, onSearchText, country, onCountry }: ToolbarProps) {
  const searchId = useId();
  const countryId = useId();
  const countries = useCountriesQuery();
  return (
    <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
      <div className="field toolbar__search">
        <label htmlFor={searchId}>Search</label>
        <input
          id={searchId}
          type="search"
          placeholder="Name or username"
          autoComplete="off"
          value={searchText}
          onChange={(event) => onSearchText(event.target.value)}
        />
      </div>
      <div className="field toolbar__country">
        <label htmlFor={countryId}>Country</label>
        <select id={countryId} value={country ?? ""} onChange={(event) => onCountry(event.target.value || null)} disabled={countries.isPending && !country}>
          <option value="">All countries</option>
          {country && !countries.data?.some((c) => c.code === country) ? <option value={country}>{country}</option> : null}
          {countries.data?.map((c) => (
            <option key={c.code} value={c.code}>
              {countryOptionLabel(c)}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

function FeedResults({ filters, onClearFilters }: { filters: FeedFilters; onClearFilters: () => void }) {
  const feed = useFeedQuery(filters);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = feed;
  const pages = feed.data?.pages ?? [];
  const profiles = pages.flatMap((page) => page.profiles);
  const canLoadMore = hasNextPage && !isFetchingNextPage && !feed.isFetchNextPageError && !feed.isPlaceholderData;

  const loadMore = useCallback(() => {
    if (canLoadMore) void fetchNextPage();
  }, [canLoadMore, fetchNextPage]);
  useWhenVisible(sentinel, loadMore, { enabled: canLoadMore, generation: pages.length });

  const filtered = Boolean(filters.search || filters.country);

  if (feed.isPending) return <CardSkeletons />;
  if (feed.isError && !feed.data) {
    return <ErrorState title="The feed could not be loaded" error={feed.error} onRetry={() => void feed.refetch()} />;
  }
  if (profiles.length === 0) {
    return filtered ? (
      <EmptyState
        title="Nobody matches"
        action={
          <button type="button" className="button" onClick={onClearFilters}>
            Clear search and filters
          </button>
        }
      >
        <p>{filters.search ? `No one whose name or username starts with “${filters.search}”${filters.country ? " in that country" : ""}.` : "No one from that country yet."}</p>
      </EmptyState>
    ) : (
      <EmptyState
        title="No profiles yet"
        action={
          <button type="button" className="button" onClick={() => void feed.refetch()}>
            Refresh
          </button>
        }
      >
        <p>Profiles appear here as soon as people sign up through Clerk.</p>
      </EmptyState>
    );
  }

  return (
    <>
      <div className="results-bar">
        <p className="results-bar__status" aria-live="polite">
          {feed.isPlaceholderData ? "Searching…" : `Showing ${profiles.length}${hasNextPage ? "+" : ""} ${profiles.length === 1 ? "profile" : "profiles"}`}
        </p>
        <button type="button" className="button button--quiet" onClick={() => void feed.refetch()} disabled={feed.isRefetching}>
          {feed.isRefetching && !isFetchingNextPage ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {feed.isRefetchError ? (
        <div className="inline-alert" role="alert">
          The feed could not be refreshed; these results may be out of date.{" "}
          <button type="button" className="link-button" onClick={() => void feed.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      <div className={`card-grid${feed.isPlaceholderData ? " card-grid--stale" : ""}`}>
        {profiles.map((profile) => (
          <ProfileCard key={profile.clerk_id} profile={profile} />
        ))}
      </div>
      <div ref={sentinel} className="feed-end">
        {feed.isFetchNextPageError ? (
          <ErrorState title="More profiles could not be loaded" error={feed.error} onRetry={() => void fetchNextPage()} />
        ) : isFetchingNextPage ? (
          <Spinner label="Loading more profiles" />
        ) : hasNextPage ? (
          <button type="button" className="button" onClick={loadMore} disabled={!canLoadMore}>
            Load more
          </button>
        ) : (
          <p className="feed-end__done">That’s everyone.</p>
        )}
      </div>
    </>
  );
}

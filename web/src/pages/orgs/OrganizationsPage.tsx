import { useCallback, useId, useRef } from "react";
import { OrganizationCard } from "../../components/OrganizationCard.tsx";
import { CardSkeletons, EmptyState, ErrorState, Spinner } from "../../components/States.tsx";
import { useOrganizationsDirectoryQuery } from "../../data/organizations/index.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { useSearchParamText } from "../../lib/useSearchParamText.ts";
import { useWhenVisible } from "../../lib/useWhenVisible.ts";

/** /orgs — every organization's public information, by name, with a search. */
export function OrganizationsPage() {
  const search = useSearchParamText("q");
  const searchId = useId();
  useDocumentTitle("Organizations");
  return (
    <section aria-labelledby="orgs-title">
      <div className="page-header">
        <h1 id="orgs-title">Organizations</h1>
        <p className="page-header__lead">Every team synced from Clerk. Members see each other on their organization’s page.</p>
      </div>
      <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field toolbar__search">
          <label htmlFor={searchId}>Search</label>
          <input
            id={searchId}
            type="search"
            placeholder="Organization name"
            autoComplete="off"
            value={search.text}
            onChange={(event) => search.setText(event.target.value)}
          />
        </div>
      </form>
      <DirectoryResults search={search.applied} onClearSearch={search.clear} />
    </section>
  );
}

function DirectoryResults({ search, onClearSearch }: { search: string; onClearSearch: () => void }) {
  const directory = useOrganizationsDirectoryQuery(search);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = directory;
  const pages = directory.data?.pages ?? [];
  const organizations = pages.flatMap((page) => page.organizations);
  const canLoadMore = hasNextPage && !isFetchingNextPage && !directory.isFetchNextPageError && !directory.isPlaceholderData;

  const loadMore = useCallback(() => {
    if (canLoadMore) void fetchNextPage();
  }, [canLoadMore, fetchNextPage]);
  useWhenVisible(sentinel, loadMore, { enabled: canLoadMore, generation: pages.length });

  if (directory.isPending) return <CardSkeletons count={6} label="Loading organizations" />;
  if (directory.isError && !directory.data) {
    return <ErrorState title="Organizations could not be loaded" error={directory.error} onRetry={() => void directory.refetch()} />;
  }
  if (organizations.length === 0) {
    return search ? (
      <EmptyState
        title="No organization matches"
        action={
          <button type="button" className="button" onClick={onClearSearch}>
            Clear search
          </button>
        }
      >
        <p>No organization’s name contains “{search}”.</p>
      </EmptyState>
    ) : (
      <EmptyState
        title="No organizations yet"
        action={
          <button type="button" className="button" onClick={() => void directory.refetch()}>
            Refresh
          </button>
        }
      >
        <p>Organizations appear here as soon as they are created in Clerk.</p>
      </EmptyState>
    );
  }

  return (
    <>
      <div className="results-bar">
        <p className="results-bar__status" aria-live="polite">
          {directory.isPlaceholderData
            ? "Searching…"
            : `Showing ${organizations.length}${hasNextPage ? "+" : ""} ${organizations.length === 1 ? "organization" : "organizations"}`}
        </p>
        <button type="button" className="button button--quiet" onClick={() => void directory.refetch()} disabled={directory.isRefetching}>
          {directory.isRefetching && !isFetchingNextPage ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {directory.isRefetchError ? (
        <div className="inline-alert" role="alert">
          The list could not be refreshed; it may be out of date.{" "}
          <button type="button" className="link-button" onClick={() => void directory.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      <div className={`card-grid${directory.isPlaceholderData ? " card-grid--stale" : ""}`}>
        {organizations.map((organization) => (
          <OrganizationCard key={organization.clerk_id} organization={organization} />
        ))}
      </div>
      <div ref={sentinel} className="feed-end">
        {directory.isFetchNextPageError ? (
          <ErrorState title="More organizations could not be loaded" error={directory.error} onRetry={() => void fetchNextPage()} />
        ) : isFetchingNextPage ? (
          <Spinner label="Loading more organizations" />
        ) : hasNextPage ? (
          <button type="button" className="button" onClick={loadMore} disabled={!canLoadMore}>
            Load more
          </button>
        ) : (
          <p className="feed-end__done">That’s every organization.</p>
        )}
      </div>
    </>
  );
}

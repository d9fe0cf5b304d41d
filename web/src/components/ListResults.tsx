import type { InfiniteData, UseInfiniteQueryResult } from "@tanstack/react-query";
import { Fragment, type ReactNode, useCallback, useRef } from "react";
import { formatCount } from "../lib/numbers.ts";
import { useWhenVisible } from "../lib/useWhenVisible.ts";
import { CardSkeletons, EmptyState, ErrorState, Spinner } from "./States.tsx";
import "./ListResults.css";

export interface ListResultsProps<Page, Item> {
  /** An infinite query whose previous data stays on screen while new filters load. */
  query: UseInfiniteQueryResult<InfiniteData<Page>, Error>;
  /** The items of one page, in order. */
  itemsOf: (page: Page) => Item[];
  itemKey: (item: Item) => string;
  renderItem: (item: Item) => ReactNode;
  /** What one item is, and many: "profile" / "profiles". */
  noun: { one: string; many: string };
  /** Nothing here at all yet; the state offers a Refresh. */
  empty: { title: string; text: ReactNode };
  /** A search or filter is applied and matched nothing; null when none is applied. */
  noMatch: { title: string; text: ReactNode; clearLabel: string; onClear: () => void } | null;
  /** The first page failed, e.g. "The feed could not be loaded". */
  errorTitle: string;
  /** A refresh failed while results are on screen. */
  staleNotice: string;
  /** Under the last page, e.g. "That’s everyone." */
  endNotice: string;
  /** How many there are in all, when the list can tell; else the bar says "24+". */
  total?: { count: number; moreThan: boolean } | null;
}

/**
 * A directory page's results: skeletons while the first page loads, an error with a
 * retry, an empty state (nothing yet, or nothing matches), then a results bar, the card grid and the next page
 * on scroll (with a Load more button where scrolling cannot tell).
 */
export function ListResults<Page, Item>({ query, itemsOf, itemKey, renderItem, noun, empty, noMatch, errorTitle, staleNotice, endNotice, total = null }: ListResultsProps<Page, Item>) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const pages = query.data?.pages ?? [];
  const items = pages.flatMap(itemsOf);
  const canLoadMore = hasNextPage && !isFetchingNextPage && !query.isFetchNextPageError && !query.isPlaceholderData;

  const loadMore = useCallback(() => {
    if (canLoadMore) void fetchNextPage();
  }, [canLoadMore, fetchNextPage]);
  useWhenVisible(sentinel, loadMore, { enabled: canLoadMore, generation: pages.length });

  if (query.isPending) return <CardSkeletons count={6} label={`Loading ${noun.many}`} />;
  if (query.isError && !query.data) {
    return <ErrorState title={errorTitle} error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (items.length === 0) {
    const { title, text, action } = noMatch
      ? { ...noMatch, action: { label: noMatch.clearLabel, run: noMatch.onClear } }
      : { ...empty, action: { label: "Refresh", run: () => void query.refetch() } };
    return (
      <EmptyState
        title={title}
        action={
          <button type="button" className="button" onClick={action.run}>
            {action.label}
          </button>
        }
      >
        <p>{text}</p>
      </EmptyState>
    );
  }

  return (
    <>
      <div className="results-bar">
        <p className="results-bar__status" aria-live="polite">
          {query.isPlaceholderData ? "Searching…" : resultsText(items.length, hasNextPage, total, noun)}
        </p>
        <button type="button" className="button button--quiet" onClick={() => void query.refetch()} disabled={query.isRefetching}>
          {query.isRefetching && !isFetchingNextPage ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {query.isRefetchError ? (
        <div className="inline-alert" role="alert">
          {staleNotice}{" "}
          <button type="button" className="link-button" onClick={() => void query.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      <div className={`card-grid${query.isPlaceholderData ? " card-grid--stale" : ""}`}>
        {items.map((item) => (
          <Fragment key={itemKey(item)}>{renderItem(item)}</Fragment>
        ))}
      </div>
      <div ref={sentinel} className="feed-end">
        {query.isFetchNextPageError ? (
          <ErrorState title={`More ${noun.many} could not be loaded`} error={query.error} onRetry={() => void fetchNextPage()} />
        ) : isFetchingNextPage ? (
          <Spinner label={`Loading more ${noun.many}`} />
        ) : hasNextPage ? (
          <button type="button" className="button" onClick={loadMore} disabled={!canLoadMore}>
            Load more
          </button>
        ) : (
          <p className="feed-end__done">{endNotice}</p>
        )}
      </div>
    </>
  );
}

/**
 * "Showing 24 of 1,234 profiles", "Showing 24 of more than 10,000 profiles"; "Showing 24+
 * profiles" while the total is unknown; "Showing 5 profiles" when every one is on screen,
 * whatever the total says (the screen is the newer count).
 */
function resultsText(shown: number, more: boolean, total: ListResultsProps<unknown, unknown>["total"], noun: { one: string; many: string }): string {
  const counted = `${formatCount(shown)} ${shown === 1 ? noun.one : noun.many}`;
  if (!more) return `Showing ${counted}`;
  if (!total || (!total.moreThan && total.count <= shown)) return `Showing ${formatCount(shown)}+ ${noun.many}`;
  return `Showing ${formatCount(shown)} of ${total.moreThan ? "more than " : ""}${formatCount(total.count)} ${noun.many}`;
}

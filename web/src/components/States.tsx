import type { ReactNode } from "react";
import "./States.css";

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status">
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export function PageSpinner({ label }: { label: string }) {
  return (
    <div className="page-spinner">
      <Spinner label={label} />
    </div>
  );
}

/** Why something failed, in words a person can act on, with a way to try again. */
export function ErrorState({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => void }) {
  return (
    <div className="state state--error" role="alert">
      <h2 className="state__title">{title}</h2>
      <p className="state__text">{describeError(error)}</p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state">
      <h2 className="state__title">{title}</h2>
      {children ? <div className="state__text">{children}</div> : null}
      {action}
    </div>
  );
}

/** Skeleton cards in the shape of the feed, while its first page loads. */
export function CardSkeletons({ count = 6, label = "Loading profiles" }: { count?: number; label?: string }) {
  return (
    <div className="card-grid" role="status" aria-label={label}>
      {Array.from({ length: count }, (_, i) => (
        <div className="card card--skeleton" key={i} aria-hidden="true">
          <div className="skeleton skeleton--avatar" />
          <div className="skeleton-lines">
            <div className="skeleton skeleton--line" />
            <div className="skeleton skeleton--line skeleton--short" />
            <div className="skeleton skeleton--line" />
          </div>
        </div>
      ))}
    </div>
  );
}

export function describeError(error: unknown): string {
  if (error instanceof TypeError && /fetch/i.test(error.message)) {
    return "The server could not be reached. Check your connection and try again.";
  }
  // PostgREST errors arrive as { message, details, hint, code }, not always as Errors.
  const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : null;
  if (typeof message === "string" && message) return message;
  return "Something went wrong.";
}

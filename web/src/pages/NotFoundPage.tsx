import { Link } from "react-router";
import { EmptyState } from "../components/States.tsx";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";

export function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <EmptyState
      title="Page not found"
      action={
        <Link className="button" to="/">
          Go to the feed
        </Link>
      }
    >
      <p>There is nothing at this address.</p>
    </EmptyState>
  );
}

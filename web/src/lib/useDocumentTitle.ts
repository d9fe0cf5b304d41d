import { useEffect } from "react";

const appName = "Profiles";

/** "Ada Lovelace · Profiles"; the app's name alone for null. */
export function useDocumentTitle(title: string | null) {
  useEffect(() => {
    document.title = title ? `${title} · ${appName}` : appName;
  }, [title]);
}

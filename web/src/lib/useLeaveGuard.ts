import { useEffect } from "react";
import { useBlocker } from "react-router";

/**
 * While `active` (say, a form has unsaved edits): a navigation to another page waits
 * for the person to choose, and closing or reloading the tab asks the browser's own
 * question. Returns the choice to offer while a navigation waits, else null.
 */
export function useLeaveGuard(active: boolean): { stay: () => void; leave: () => void } | null {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => active && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    if (!active) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [active]);

  // The edits were saved or undone while a navigation waited: let it go.
  useEffect(() => {
    if (blocker.state === "blocked" && !active) blocker.proceed();
  }, [blocker, active]);

  return blocker.state === "blocked" ? { stay: () => blocker.reset(), leave: () => blocker.proceed() } : null;
}

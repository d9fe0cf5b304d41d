import { type RefObject, useEffect, useRef } from "react";

/**
 * Calls `onVisible` when the element comes within `margin` of the viewport. A new
 * `generation` (e.g. the number of pages loaded) observes afresh, so a sentinel that is
 * still in view after a page has loaded asks for the next one. Does nothing where
 * IntersectionObserver is missing; the caller keeps a button for that.
 */
export function useWhenVisible(
  ref: RefObject<Element | null>,
  onVisible: () => void,
  { enabled, generation, margin = "600px" }: { enabled: boolean; generation: number; margin?: string },
) {
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const element = ref.current;
    if (!enabled || !element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) callback.current();
      },
      { rootMargin: margin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, enabled, generation, margin]);
}

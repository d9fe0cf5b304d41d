import { useEffect, useState } from "react";

/** Whole seconds left until `until` (ms since the epoch), re-rendering each second; 0 once past, or for null. */
export function useSecondsLeft(until: number | null): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => {
      setTick((tick) => tick + 1);
      if (Date.now() >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  // Computed on every render, so the first render after `until` changes is already right.
  return until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";

/**
 * A search box bound to a URL parameter, so a search can be shared, reloaded and reached
 * with Back. `text` is what is being typed; `applied` (the URL's value) follows it
 * `delayMs` after the last key. Back or a link that changes the URL puts the text back.
 */
export function useSearchParamText(name: string, delayMs = 250) {
  const [params, setParams] = useSearchParams();
  const applied = params.get(name) ?? "";
  const [text, setText] = useState(applied);
  const written = useRef(applied);

  useEffect(() => {
    const value = text.trim();
    if (value === written.current) return;
    const timer = setTimeout(() => {
      written.current = value;
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(name, value);
          else next.delete(name);
          return next;
        },
        { replace: true },
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [text, name, delayMs, setParams]);

  useEffect(() => {
    if (applied === written.current) return;
    written.current = applied;
    setText(applied);
  }, [applied]);

  /** Empties the box and the parameter, and `alsoClear`'s parameters in the same navigation. */
  const clear = (alsoClear: readonly string[] = []) => {
    written.current = "";
    setText("");
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const param of [name, ...alsoClear]) next.delete(param);
        return next;
      },
      { replace: true },
    );
  };

  return { text, setText, applied, clear };
}

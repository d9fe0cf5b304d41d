import { useState } from "react";
import { initials } from "../lib/names.ts";
import "./Avatar.css";

interface AvatarProps {
  src: string | null;
  name: string;
  size?: "small" | "medium" | "large";
  /** Empty when the name is printed right next to the picture (it would be read twice). */
  alt?: string;
  /** A rounded square, for organizations (people are round). */
  square?: boolean;
}

/** The profile picture, or the person's initials when there is none or it fails to load. */
export function Avatar({ src, name, size = "medium", alt = "", square = false }: AvatarProps) {
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  const className = `avatar avatar--${size}${square ? " avatar--square" : ""}`;
  if (!src || failedSrc === src) {
    return (
      <span className={`${className} avatar--initials`} style={{ backgroundColor: colourFor(name) }} role={alt ? "img" : undefined} aria-label={alt || undefined} aria-hidden={alt ? undefined : true}>
        {initials(name)}
      </span>
    );
  }
  return <img className={className} src={src} alt={alt} loading="lazy" decoding="async" onError={() => setFailedSrc(src)} />;
}

function colourFor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 45% 42%)`;
}

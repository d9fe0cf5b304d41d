/**
 * An id or an email: one unbreakable word. It never wraps mid-word; where it does not
 * fit, it ends in an ellipsis and its title holds it whole (and copying takes it whole).
 */
export function Token({ value, code = true }: { value: string; code?: boolean }) {
  return code ? (
    <code className="token" title={value}>
      {value}
    </code>
  ) : (
    <span className="token" title={value}>
      {value}
    </span>
  );
}

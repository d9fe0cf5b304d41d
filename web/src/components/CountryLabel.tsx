import { useCountryNames } from "../data/countries/index.ts";
import { canShowFlagEmoji, flagEmoji } from "../lib/flags.ts";

/** 🇸🇪 Sweden (or a small "SE" badge where flags cannot be drawn). The code alone until names load. */
export function CountryLabel({ code }: { code: string }) {
  const names = useCountryNames();
  return (
    <span className="country">
      {canShowFlagEmoji() ? (
        <span className="country__flag" aria-hidden="true">
          {flagEmoji(code)}
        </span>
      ) : (
        <span className="country__code" aria-hidden="true">
          {code}
        </span>
      )}
      <span className="country__name">{names.get(code) ?? code}</span>
    </span>
  );
}

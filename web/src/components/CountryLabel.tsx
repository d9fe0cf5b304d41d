import { useCountryNames } from "../data/countries/index.ts";
import { canShowFlagEmoji, flagEmoji } from "../lib/flags.ts";
import "./CountryLabel.css";

/** 🇸🇪 Sweden, or a small "SE" badge and the name where flags cannot be drawn. */
export function CountryLabel({ code }: { code: string }) {
  const name = useCountryNames().get(code);
  if (canShowFlagEmoji()) {
    return (
      <span className="country">
        <span className="country__flag" aria-hidden="true">
          {flagEmoji(code)}
        </span>
        <span className="country__name">{name ?? code}</span>
      </span>
    );
  }
  // Until the names have loaded, the badge alone stands for the country.
  return (
    <span className="country">
      <span className="country__code" aria-hidden={name ? true : undefined}>
        {code}
      </span>
      {name ? <span className="country__name">{name}</span> : null}
    </span>
  );
}

import { useId, useMemo } from "react";
import { useSearchParams } from "react-router";
import { ListResults } from "../../components/ListResults.tsx";
import { ProfileCard } from "../../components/ProfileCard.tsx";
import { useCountriesQuery } from "../../data/countries/index.ts";
import { type FeedFilters, useFeedQuery } from "../../data/profiles/index.ts";
import { countryOptionLabel } from "../../lib/flags.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { useSearchParamText } from "../../lib/useSearchParamText.ts";

/** The public feed: everyone, newest first, with search, a country filter and infinite scroll. */
export function FeedPage() {
  const [params, setParams] = useSearchParams();
  // The URL holds the applied filters, so a search can be shared, reloaded and reached
  // with Back.
  const search = useSearchParamText("q");
  const country = params.get("country") || null;
  useDocumentTitle(null);

  const setCountry = (code: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (code) next.set("country", code);
      else next.delete("country");
      return next;
    });

  const filters = useMemo<FeedFilters>(() => ({ search: search.applied, country }), [search.applied, country]);

  return (
    <section aria-labelledby="feed-title">
      <div className="page-header">
        <h1 id="feed-title">People</h1>
        <p className="page-header__lead">Everyone who has signed up, newest first.</p>
      </div>
      <FeedToolbar searchText={search.text} onSearchText={search.setText} country={country} onCountry={setCountry} />
      <FeedResults filters={filters} onClearFilters={() => search.clear(["country"])} />
    </section>
  );
}

interface ToolbarProps {
  searchText: string;
  onSearchText: (text: string) => void;
  country: string | null;
  onCountry: (code: string | null) => void;
}

function FeedToolbar({ searchText, onSearchText, country, onCountry }: ToolbarProps) {
  const searchId = useId();
  const countryId = useId();
  const countries = useCountriesQuery();
  return (
    <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
      <div className="field toolbar__search">
        <label htmlFor={searchId}>Search</label>
        <input
          id={searchId}
          type="search"
          placeholder="Name or username"
          autoComplete="off"
          value={searchText}
          onChange={(event) => onSearchText(event.target.value)}
        />
      </div>
      <div className="field toolbar__country">
        <label htmlFor={countryId}>Country</label>
        <select id={countryId} value={country ?? ""} onChange={(event) => onCountry(event.target.value || null)} disabled={countries.isPending && !country}>
          <option value="">All countries</option>
          {country && !countries.data?.some((c) => c.code === country) ? <option value={country}>{country}</option> : null}
          {countries.data?.map((c) => (
            <option key={c.code} value={c.code}>
              {countryOptionLabel(c)}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

function FeedResults({ filters, onClearFilters }: { filters: FeedFilters; onClearFilters: () => void }) {
  const feed = useFeedQuery(filters);
  const filtered = Boolean(filters.search || filters.country);
  return (
    <ListResults
      query={feed}
      itemsOf={(page) => page.profiles}
      itemKey={(profile) => profile.clerk_id}
      renderItem={(profile) => <ProfileCard profile={profile} />}
      noun={{ one: "profile", many: "profiles" }}
      errorTitle="The feed could not be loaded"
      staleNotice="The feed could not be refreshed; these results may be out of date."
      endNotice="That’s everyone."
      empty={{ title: "No profiles yet", text: "Profiles appear here as soon as people sign up through Clerk." }}
      noMatch={
        filtered
          ? {
              title: "Nobody matches",
              text: filters.search ? `No one whose name or username starts with “${filters.search}”${filters.country ? " in that country" : ""}.` : "No one from that country yet.",
              clearLabel: "Clear search and filters",
              onClear: onClearFilters,
            }
          : null
      }
    />
  );
}

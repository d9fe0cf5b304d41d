import { useId } from "react";
import { ListResults } from "../../components/ListResults.tsx";
import { OrganizationCard } from "../../components/OrganizationCard.tsx";
import { useOrganizationsDirectoryQuery } from "../../data/organizations/index.ts";
import { useDocumentTitle } from "../../lib/useDocumentTitle.ts";
import { useSearchParamText } from "../../lib/useSearchParamText.ts";

/** /orgs — every organization's public information, by name, with a search. */
export function OrganizationsPage() {
  const search = useSearchParamText("q");
  const searchId = useId();
  useDocumentTitle("Organizations");
  return (
    <section aria-labelledby="orgs-title">
      <div className="page-header">
        <h1 id="orgs-title">Organizations</h1>
        <p className="page-header__lead">Every team synced from Clerk. Members see each other on their organization’s page.</p>
      </div>
      <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field toolbar__search">
          <label htmlFor={searchId}>Search</label>
          <input
            id={searchId}
            type="search"
            placeholder="Organization name"
            autoComplete="off"
            value={search.text}
            onChange={(event) => search.setText(event.target.value)}
          />
        </div>
      </form>
      <DirectoryResults search={search.applied} onClearSearch={() => search.clear()} />
    </section>
  );
}

function DirectoryResults({ search, onClearSearch }: { search: string; onClearSearch: () => void }) {
  const directory = useOrganizationsDirectoryQuery(search);
  return (
    <ListResults
      query={directory}
      itemsOf={(page) => page.organizations}
      itemKey={(organization) => organization.clerk_id}
      renderItem={(organization) => <OrganizationCard organization={organization} />}
      noun={{ one: "organization", many: "organizations" }}
      errorTitle="Organizations could not be loaded"
      staleNotice="The list could not be refreshed; it may be out of date."
      endNotice="That’s every organization."
      empty={{ title: "No organizations yet", text: "Organizations appear here as soon as they are created in Clerk." }}
      noMatch={search ? { title: "No organization matches", text: `No organization’s name contains “${search}”.`, clearLabel: "Clear search", onClear: onClearSearch } : null}
    />
  );
}

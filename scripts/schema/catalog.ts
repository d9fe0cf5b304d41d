/**
 * A database's schema as a flat map from object to definition, read from pg_catalog,
 * so that two databases can be compared object by object:
 *
 *   "function private.apply_event(event jsonb)" → its pg_get_functiondef, owner and grants
 *   "policy public.profiles \"Profiles are readable by their owner\"" → command, roles, using, check
 *
 * Every kind a migration can change is covered: schemas, tables and views (with row
 * level security and options), columns, constraints, indexes, view definitions,
 * functions (whole definition: body, volatility, security, settings), policies,
 * triggers, enum types, comments, grants (tables, columns, functions, schemas, types),
 * default privileges, extensions, and the rows of every table (reference data such as
 * countries). Grants are compared as effective privileges: an object that was never
 * granted (a null ACL) equals one granted exactly its defaults.
 */
import pg from "pg";

/** Object → definition. Keys name the object the way a reader would look for it. */
export type Catalog = Map<string, string>;

/** Schemas that are not ours: PostgreSQL's own, and the CLI's migration history. */
const notOurs = `('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations')`;
const ours = (column: string) =>
  `${column} not in ${notOurs} and ${column} not like 'pg_temp%' and ${column} not like 'pg_toast_temp%'`;

/** Effective grants of an ACL column, with PostgreSQL's defaults for a null one. */
const grants = (acl: string, kind: string, owner: string) => `(
  select coalesce(string_agg(
           case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end
             || ' ' || a.privilege_type || case when a.is_grantable then ' with grant option' else '' end,
           ', ' order by 1), 'none')
    from aclexplode(coalesce(${acl}, acldefault('${kind}', ${owner}))) a)`;

const queries: string[] = [
  `select 'schema ' || n.nspname,
          'owner ' || pg_get_userbyid(n.nspowner) || '; grants ' || ${grants("n.nspacl", "n", "n.nspowner")}
     from pg_namespace n where ${ours("n.nspname")}`,

  `select case c.relkind when 'r' then 'table ' when 'v' then 'view ' when 'm' then 'materialized view '
                         when 'S' then 'sequence ' when 'p' then 'table ' when 'f' then 'foreign table ' end
            || n.nspname || '.' || c.relname,
          'owner ' || pg_get_userbyid(c.relowner)
            || '; row level security ' || c.relrowsecurity || ', forced ' || c.relforcerowsecurity
            || '; options ' || coalesce(array_to_string(c.reloptions, ', '), 'none')
            || '; grants ' || ${grants("c.relacl", "r", "c.relowner")}
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'v', 'm', 'S', 'p', 'f') and ${ours("n.nspname")}`,

  `select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname,
          format_type(a.atttypid, a.atttypmod)
            || case when a.attnotnull then ' not null' else '' end
            || coalesce(case when a.attgenerated = 's' then ' generated always as ' else ' default ' end
                        || pg_get_expr(d.adbin, d.adrelid), '')
            || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end
            || coalesce(' collate ' || nullif(co.collname, 'default'), '')
            || coalesce('; grants ' || (
                 select string_agg(case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee) end
                                   || ' ' || x.privilege_type, ', ' order by 1)
                   from aclexplode(a.attacl) x), '')
     from pg_attribute a
     join pg_class c on c.oid = a.attrelid
     join pg_namespace n on n.oid = c.relnamespace
     left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     left join pg_collation co on co.oid = a.attcollation and a.attcollation <> 0
    where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'p', 'f') and ${ours("n.nspname")}`,

  `select 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname, pg_get_constraintdef(k.oid)
     from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where ${ours("n.nspname")}`,

  `select 'index ' || n.nspname || '.' || i.relname, pg_get_indexdef(i.oid)
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = i.relnamespace
    where ${ours("n.nspname")}`,

  `select 'view definition ' || n.nspname || '.' || c.relname, pg_get_viewdef(c.oid)
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('v', 'm') and ${ours("n.nspname")}`,

  `select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
          pg_get_functiondef(p.oid)
            || 'owner ' || pg_get_userbyid(p.proowner) || '; grants ' || ${grants("p.proacl", "f", "p.proowner")}
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prokind in ('f', 'p') and ${ours("n.nspname")}`,

  `select 'policy ' || schemaname || '.' || tablename || ' "' || policyname || '"',
          permissive || ' for ' || cmd || ' to ' || array_to_string(roles, ', ')
            || coalesce(' using (' || qual || ')', '') || coalesce(' with check (' || with_check || ')', '')
     from pg_policies where ${ours("schemaname")}`,

  `select 'trigger ' || n.nspname || '.' || c.relname || ' ' || t.tgname, pg_get_triggerdef(t.oid)
     from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and ${ours("n.nspname")}`,

  `select 'type ' || n.nspname || '.' || t.typname,
          case t.typtype when 'e' then 'enum (' || (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
                                                      from pg_enum e where e.enumtypid = t.oid) || ')'
                         when 'd' then 'domain ' || format_type(t.typbasetype, t.typtypmod)
                         else 'type ' || t.typtype::text end
            || '; owner ' || pg_get_userbyid(t.typowner) || '; grants ' || ${grants("t.typacl", "T", "t.typowner")}
     from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where t.typtype in ('e', 'd', 'c')
      and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
      and ${ours("n.nspname")}`,

  `select 'comment on ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
     from pg_description d
    where d.classoid <> 'pg_catalog.pg_description'::regclass`,

  `select 'default privileges of ' || pg_get_userbyid(d.defaclrole) || coalesce(' in schema ' || n.nspname, '')
            || ' on ' || case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                                              when 'T' then 'types' when 'n' then 'schemas' end,
          (select string_agg(case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee) end
                             || ' ' || x.privilege_type, ', ' order by 1)
             from aclexplode(d.defaclacl) x)
     from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace`,

  `select 'extension ' || extname, extversion from pg_extension`,
];

/** The rows of every table: a count and a digest, so reference data must match too. */
async function tableContents(client: pg.Client): Promise<[string, string][]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and ${ours("n.nspname")}
      order by 1`,
  );
  const contents: [string, string][] = [];
  for (const { name } of tables) {
    const { rows } = await client.query<{
      count: string;
      digest: string | null;
    }>(
      `select count(*) as count, md5(string_agg(t::text, E'\\n' order by t::text)) as digest from ${name} t`,
    );
    contents.push([
      `rows of ${name}`,
      `${rows[0].count} rows, md5 ${rows[0].digest ?? "-"}`,
    ]);
  }
  return contents;
}

/** Reads the catalog of the database at `url`. */
export async function readCatalog(url: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const catalog: Catalog = new Map();
    for (const sql of queries) {
      const { rows } = await client.query<[string, string]>({
        text: sql,
        rowMode: "array",
      });
      for (const [key, definition] of rows) catalog.set(key, definition);
    }
    for (const [key, definition] of await tableContents(client))
      catalog.set(key, definition);
    return catalog;
  } finally {
    await client.end();
  }
}

export interface CatalogDifference {
  /** The object, e.g. `function private.upsert_profile(p_row jsonb, …)`. */
  object: string;
  /** Its definition on each side; null where it does not exist. */
  left: string | null;
  right: string | null;
}

/** Every object whose definition differs between two catalogs, sorted by object. */
export function compareCatalogs(
  left: Catalog,
  right: Catalog,
): CatalogDifference[] {
  const objects = [...new Set([...left.keys(), ...right.keys()])].sort();
  return objects
    .filter((object) => left.get(object) !== right.get(object))
    .map((object) => ({
      object,
      left: left.get(object) ?? null,
      right: right.get(object) ?? null,
    }));
}

/** One difference for a terminal: the object, and the first line where the sides part. */
export function describeDifference(
  difference: CatalogDifference,
  names: [string, string],
): string {
  const { object, left, right } = difference;
  if (left === null) return `${object}: only in ${names[1]}`;
  if (right === null) return `${object}: only in ${names[0]}`;
  const a = left.split("\n");
  const b = right.split("\n");
  let line = 0;
  while (line < a.length && a[line] === b[line]) line++;
  return [
    `${object}: differs at line ${line + 1}`,
    `    ${names[0]}: ${a[line] ?? "(ends)"}`,
    `    ${names[1]}: ${b[line] ?? "(ends)"}`,
  ].join("\n");
}

import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Reads the options of a command that has no subcommands (`npm run stack`, `npm run dev`),
 * with the exit codes of scripts/lib/cli.ts: `--help` prints `usage` and exits 0; an
 * unknown option or a stray argument is a usage error (exit 2) naming the real options,
 * before anything is started.
 */
export function parseCommandLine<T extends Options>(invocation: string, argv: string[], options: T, usage: string) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const satisfies Options;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, strict: true, allowPositionals: false });
  } catch (error) {
    if (argv.includes("--help") || argv.includes("-h")) return help(usage);
    const names = Object.keys(all).map((name) => `--${name}`);
    console.error(`Usage error: ${(error as Error).message.split(". ")[0].replace(/\.$/, "")}.`);
    console.error(`${invocation} takes ${names.slice(0, -1).join(", ")}${names.length > 1 ? " and " : ""}${names.at(-1)}.`);
    console.error(`Run \`${invocation} -- --help\` for its usage.`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) return help(usage);
  return parsed.values as { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };
}

function help(usage: string): never {
  console.log(usage);
  process.exit(0);
}

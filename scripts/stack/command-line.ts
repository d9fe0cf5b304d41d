import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Reads a command's options, strictly: `--help` prints `usage` and exits 0; an unknown
 * option or a stray argument is a usage error (exit 2) naming the real options, before
 * anything is started.
 */
export function parseCommandLine<T extends Options>(command: string, argv: string[], options: T, usage: string) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const satisfies Options;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, strict: true, allowPositionals: false });
  } catch (error) {
    const names = Object.keys(all).map((name) => `--${name}`).join(", ");
    console.error(`${(error as Error).message.split("\n")[0]}\n${command} takes ${names}. \`${command} -- --help\` shows what they do.`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values as { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };
}

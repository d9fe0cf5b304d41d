/**
 * Command tables and the one way they run. A program is a list of groups of commands;
 * each command declares its arguments and exactly its own options, and the runner
 * derives everything else from that declaration: `--help`, `help <command>`, strict
 * parsing (node:util parseArgs, `strict: true`), and the exit codes:
 *
 *   0  success
 *   1  failure (the command ran and something went wrong: printed as "✗ message")
 *   2  usage error (unknown command or option, a missing or malformed argument)
 */
import { parseArgs } from "node:util";

/** The user asked for something the command does not take: exit 2, with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The command ran and failed for a reason it can explain: exit 1, no stack trace. */
export class CommandError extends Error {
  override name = "CommandError";
}

export interface OptionSpec {
  type: "string" | "boolean";
  /** Repeatable: the value is an array. */
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the usage, e.g. `ID` or `30d`. */
  value?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** What parseArgs gives back for a command's own option list. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string;
};

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line, shown in the program's command list. */
  summary: string;
  /** Positional arguments as shown in the usage, e.g. `["<type>"]`; `[x]` is optional. */
  args?: string[];
  options: O;
  /** More help: what the command does, examples. Shown by `help <command>`. */
  details?: string;
  run(input: { values: OptionValues<O>; args: string[] }): Promise<number>;
}

/** Keeps a command's option types for its `run`, and erases them for the table. */
export function command<const O extends OptionSpecs>(definition: Command<O>): Command {
  return definition as unknown as Command;
}

export interface CommandGroup {
  title: string;
  commands: Command[];
}

export interface Program {
  /** How a user types it, e.g. `npm run clerk --`. */
  invocation: string;
  description: string;
  groups: CommandGroup[];
  /** Printed after the command list. */
  footer?: string;
}

const helpOption: OptionSpec = { type: "boolean", short: "h", description: "Show this help" };

/** Runs argv (without node and the script) against the program, and returns the exit code. */
export async function runProgram(program: Program, argv: string[]): Promise<number> {
  const commands = program.groups.flatMap((group) => group.commands);
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(programUsage(program));
    return 2;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    console.log(programUsage(program));
    return 0;
  }
  const find = (wanted: string) => commands.find((c) => c.name === wanted);
  if (name === "help") {
    const target = find(rest[0]);
    if (!target || rest.length > 1) return usageFailure(program, unknownCommand(rest.join(" "), commands));
    console.log(commandUsage(program, target));
    return 0;
  }
  const target = find(name);
  if (!target) return usageFailure(program, unknownCommand(name, commands));

  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...toParseArgs(target.options), help: helpOption },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    if (!String((error as { code?: string }).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    // `--help` wins over any other mistake on the line.
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(commandUsage(program, target));
      return 0;
    }
    return usageFailure(program, optionError(target, error as Error & { code?: string }), target);
  }
  if (parsed.values.help) {
    console.log(commandUsage(program, target));
    return 0;
  }
  const declared = target.args ?? [];
  const required = declared.filter((arg) => !arg.startsWith("[")).length;
  if (parsed.positionals.length < required) {
    return usageFailure(program, `${target.name} needs ${declared.slice(parsed.positionals.length, required).join(" ")}.`, target);
  }
  if (parsed.positionals.length > declared.length) {
    const extra = parsed.positionals.slice(declared.length).join(" ");
    return usageFailure(program, `${target.name} takes ${declared.length ? declared.join(" ") : "no arguments"}; unexpected "${extra}".`, target);
  }

  try {
    return await target.run({ values: parsed.values as OptionValues<OptionSpecs>, args: parsed.positionals });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(program, error.message, target);
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function usageFailure(program: Program, message: string, target?: Command): number {
  console.error(`Usage error: ${message}`);
  console.error(target ? optionSummary(target) : `Commands: ${program.groups.flatMap((g) => g.commands.map((c) => c.name)).join(", ")}.`);
  console.error(`Run \`${program.invocation} help${target ? ` ${target.name}` : ""}\` for ${target ? "its usage" : "the usage"}.`);
  return 2;
}

function unknownCommand(name: string, commands: Command[]): string {
  const near = commands.filter((c) => distance(c.name, name) <= 2).map((c) => c.name);
  return `unknown command "${name}"${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}.`;
}

function optionError(target: Command, error: Error & { code?: string }): string {
  // parseArgs's own messages suggest `--` tricks; say what the command takes instead.
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `${target.name} has no option ${flag ?? ""}.`.replace(" .", ".");
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const spec = flag ? target.options[flag.replace(/^--?/, "").split(" ")[0]] : undefined;
      return spec?.type === "boolean" ? `${flag} takes no value.` : `${flag?.split(" ")[0] ?? "an option"} needs a value.`;
    }
    default:
      return error.message;
  }
}

function optionSummary(target: Command): string {
  const names = Object.keys(target.options).map((name) => `--${name}`);
  return `${target.name} takes ${names.length ? names.join(", ") + " and " : ""}--help.`;
}

function toParseArgs(options: OptionSpecs) {
  type ParseArgsOption = { type: "string" | "boolean"; multiple?: boolean; short?: string };
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => {
      const option: ParseArgsOption = { type: spec.type };
      if (spec.multiple) option.multiple = true;
      if (spec.short) option.short = spec.short;
      return [name, option];
    }),
  );
}

/** The program's usage: every group and its commands, one line each. */
export function programUsage(program: Program): string {
  const lines = [program.description, "", `Usage: ${program.invocation} <command> [options]`, `       ${program.invocation} help <command>`];
  const width = Math.max(...program.groups.flatMap((g) => g.commands.map((c) => c.name.length))) + 2;
  for (const group of program.groups) {
    lines.push("", `${group.title}:`);
    for (const c of group.commands) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  }
  if (program.footer) lines.push("", program.footer);
  return lines.join("\n");
}

/** One command's usage: its arguments, every option, and its details. */
export function commandUsage(program: Program, target: Command): string {
  const args = (target.args ?? []).join(" ");
  const entries = Object.entries({ ...target.options, help: helpOption }).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
    return [flag, spec.description + (spec.multiple ? " (repeatable)" : "")] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length)) + 2;
  const lines = [
    `Usage: ${program.invocation} ${target.name}${args ? ` ${args}` : ""}${Object.keys(target.options).length ? " [options]" : ""}`,
    "",
    target.summary,
  ];
  if (target.details) lines.push("", target.details.trimEnd());
  lines.push("", "Options:", ...entries.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`));
  return lines.join("\n");
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]++;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** A whole number option, or a usage error naming the flag. */
export function wholeNumber(value: string, flag: string, { min = 0 } = {}): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ""}, got "${value}".`);
  }
  return number;
}

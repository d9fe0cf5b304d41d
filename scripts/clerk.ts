/**
 * `npm run clerk -- <command>`: the development simulator (scripts/simulator/) and the
 * operator's commands (scripts/ops/), one command table each, run the same way.
 */
import { runProgram } from "./lib/cli.ts";
import { operatorCommands } from "./ops/commands.ts";
import { simulatorCommands } from "./simulator/commands.ts";

process.exitCode = await runProgram({
  invocation: "npm run clerk --",
  description: "Clerk for the local stack, and the operator's tools for a real deployment.",
  groups: [
    { title: "Simulator (development: stands in for Clerk, sends to the local stack or --url)", commands: simulatorCommands },
    { title: "Operations (the local stack, or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY)", commands: operatorCommands },
  ],
  footer: "Exit codes: 0 success, 1 failure, 2 usage error.",
}, process.argv.slice(2));

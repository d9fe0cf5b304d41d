/**
 * `npm run clerk -- …` as people run it: each test starts the command as a process and
 * asserts its exit code (0 success, 1 failure, 2 usage error) and what it printed.
 * Usage and errors need no stack. The simulator and the operator commands run against
 * a stack of this file's own: they change the ledger and the simulator's state, and a
 * reconcile here compares the whole database.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, repoRoot } from "../../scripts/lib/paths.ts";
import { operatorCommands } from "../../scripts/ops/commands.ts";
import { exampleEventsFile, simulatorCommands } from "../../scripts/simulator/commands.ts";
import { type FakeClerkApi, startFakeClerkApi } from "../../scripts/simulator/fake-api.ts";
import { envelope, userJSON } from "../../scripts/simulator/payloads.ts";
import { loadState, stateFile } from "../../scripts/simulator/state.ts";
import { freePort } from "../../scripts/stack/processes.ts";
import type { RunningStack } from "../../scripts/stack/stack.ts";
import { clerkId } from "../support/clients.ts";
import { insertOldLedgerRow } from "../support/ledger.ts";
import { startTestStack, testSecrets } from "../support/test-stack.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run clerk -- <args>` (the script it names, without npm's banner). */
function clerk(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return promisify(execFile)(bin("tsx"), ["scripts/clerk.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, SUPABASE_URL: "", SUPABASE_SERVICE_ROLE_KEY: "", CLERK_SECRET_KEY: "", ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const commands = [...simulatorCommands, ...operatorCommands];

describe("usage: every command, no stack needed", () => {
  let noStack: string;
  const run = (args: string[]) => clerk(args, { STACK_DIR: noStack });
  beforeAll(async () => {
    noStack = await mkdtemp(join(tmpdir(), "clerk-cli-nostack-"));
  });
  afterAll(() => rm(noStack, { recursive: true, force: true }));

  it.each(commands.map((c) => [c.name, Object.keys(c.options)] as const))(
    "%s answers --help, -h and `help <command>` with its usage and every option, exit 0",
    async (name, options) => {
      for (const args of [[name, "--help"], ["help", name], [name, "-h"]]) {
        const { code, stdout, stderr } = await run(args);
        expect(code, `${args.join(" ")}: ${stderr}`).toBe(0);
        expect(stdout).toContain(`Usage: npm run clerk -- ${name}`);
        for (const option of [...options, "help"]) expect(stdout).toContain(`--${option}`);
      }
    },
  );

  it.each(commands.map((c) => [c.name, Object.keys(c.options)] as const))(
    "%s refuses an unknown option with exit 2, naming its real options",
    async (name, options) => {
      const { code, stdout, stderr } = await run([name, "--bogus"]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`Usage error: ${name} has no option --bogus.`);
      expect(stderr).toContain(`${name} takes ${[...options, "help"].map((o) => `--${o}`).join(", ").replace(/, (--help)$/, " and $1")}.`);
      expect(stderr).toContain(`npm run clerk -- help ${name}`);
    },
  );

  it("with no arguments prints the usage on stderr and exits 2", async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    for (const c of commands) expect(stderr).toContain(`  ${c.name} `);
  });

  it("help and --help list every command, grouped by audience, and exit 0", async () => {
    for (const args of [["help"], ["--help"]]) {
      const { code, stdout } = await run(args);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Simulator \(development[^\n]*\n(  (send|users|seed|replay|fake-api) +\S[^\n]*\n){5}/);
      expect(stdout).toMatch(/Operations \([^\n]*\n(  (backfill|reconcile|replay-failed|discard-failed|prune-ledger|export) +\S[^\n]*\n){6}/);
      expect(stdout).toContain("Exit codes: 0 success, 1 failure, 2 usage error.");
    }
  });

  it("works through package.json as the README writes it: npm run clerk -- help send", async () => {
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "clerk", "--", "help", "send"], { cwd: repoRoot, env: { ...process.env, STACK_DIR: noStack } });
    expect(stdout).toContain("Usage: npm run clerk -- send <type> [options]");
  });

  it("an unknown command is a usage error (exit 2) that suggests the nearest one", async () => {
    const typo = await run(["backfil"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Usage error: unknown command "backfil" (did you mean backfill?).');
    expect(typo.stderr).toContain("Commands: send, users, seed, replay, fake-api, backfill, reconcile, replay-failed, discard-failed, prune-ledger, export.");
    const help = await run(["help", "nonsense"]);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain('unknown command "nonsense"');
  });

  it("an option meant for another command is refused, not ignored: prune-ledger took --dry-run before it had one, backfill has none", async () => {
    const { code, stderr } = await run(["backfill", "--dry-run"]);
    expect(code).toBe(2);
    expect(stderr).toContain("backfill has no option --dry-run.");
    expect(stderr).toContain("backfill takes --only, --page-size and --help.");
  });

  it.each([
    [["send"], "send needs <type>."],
    [["replay"], "replay needs <file>."],
    [["users", "extra"], 'users takes no arguments; unexpected "extra".'],
    [["send", "--user"], "--user needs a value."],
    [["seed", "--no-profiles=yes"], "--no-profiles takes no value."],
    [["seed", "--users", "zero"], '--users must be a whole number of at least 1, got "zero".'],
    [["prune-ledger"], "prune-ledger needs --older-than, e.g. --older-than 30d."],
    [["prune-ledger", "--older-than", "30 days"], '--older-than takes a number and a unit (m, h, d or w), e.g. 30d; got "30 days".'],
    [["prune-ledger", "--older-than", "30d", "--delete-older-than", "1d"], "--delete-older-than must be at least 2d"],
    [["reconcile", "--only", "people"], "--only takes users, organizations, memberships; not people."],
    [["fake-api", "--rate-limit", "fast"], "--rate-limit takes requests/seconds, e.g. 100/10s."],
  ])("%j is a usage error (exit 2): %s", async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(`Usage error: ${message}`);
  });

  it("an operator command names an unreachable SUPABASE_URL (ECONNREFUSED) and what to check, exit 1", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await clerk(["prune-ledger", "--older-than", "30d"], { STACK_DIR: noStack, SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: "service-key" });
    expect(code).toBe(1);
    expect(stderr).toContain(`connection refused: nothing listens at ${url.slice("http://".length)} (ECONNREFUSED). Check SUPABASE_URL (${url})`);
    expect(stderr).not.toContain("fetch failed");
  });

  it("a failure exits 1 and says what to do: sending with no stack running", async () => {
    const { code, stderr } = await run(["send", "user.created"]);
    expect(code).toBe(1);
    expect(stderr).toContain("✗ No local stack is running. Start one in another terminal with `npm run stack`");
  });
});

describe("against a stack", () => {
  let stack: RunningStack;
  let db: pg.Pool;
  let api: FakeClerkApi;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startTestStack();
    db = new pg.Pool({ connectionString: stack.status.dbUrl, max: 2 });
    env = { STACK_DIR: stack.status.stateDir };
    api = await startFakeClerkApi({ state: () => loadState(stack.status.stateDir) });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.end();
    await stack?.stop();
  });

  const run = (args: string[]) => clerk(args, env);
  const state = () => readFile(stateFile(stack.status.stateDir), "utf8");
  const ledgerCount = async () => Number((await db.query("select count(*) from clerk_events")).rows[0].count);
  const createdId = (stdout: string, kind: string) => {
    const match = new RegExp(`^  ${kind} (\\S+)`, "m").exec(stdout);
    expect(match, stdout).not.toBeNull();
    return match![1];
  };

  describe("the simulator", () => {
    it("send prints the id it created; users lists it by name, and as deleted after user.deleted", async () => {
      const created = await run(["send", "user.created", "--set", "first_name=Katherine", "--set", "last_name=Johnson"]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^✓ user\.created msg_\w+ → 200 \{"outcome":"applied"\}$/m);
      const id = createdId(created.stdout, "user");
      expect(created.stdout).toContain(`  user ${id} (Katherine Johnson)`);
      expect((await db.query("select first_name from profiles where clerk_id = $1", [id])).rows).toEqual([{ first_name: "Katherine" }]);

      const listed = await run(["users"]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`^${id}  Katherine Johnson +\\S+ +live$`, "m"));

      expect((await run(["send", "user.deleted", "--user", id])).code).toBe(0);
      const json = await run(["users", "--json"]);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ id, name: "Katherine Johnson", deleted: true }));
      expect((await run(["users"])).stdout).toMatch(new RegExp(`^${id}  Katherine Johnson +\\S+ +deleted$`, "m"));
    });

    it("refuses a type it does not know (exit 2), names the one meant, and changes neither its state nor the ledger", async () => {
      expect((await run(["send", "user.created", "--set", "first_name=Dorothy"])).code).toBe(0);
      const [before, eventsBefore] = [await state(), await ledgerCount()];
      const { code, stdout, stderr } = await run(["send", "user.craeted"]);
      expect(code).toBe(2);
      expect(stdout).not.toContain("✓");
      expect(stderr).toContain('Usage error: "user.craeted" is not an event type the simulator knows. Did you mean user.created?');
      expect(stderr).toContain("add --any-type");
      expect(await state()).toBe(before);
      expect(await ledgerCount()).toBe(eventsBefore);
    });

    it("sends an unknown type with --any-type, warning, and leaves every user as it was", async () => {
      const before = await state();
      const { code, stdout, stderr } = await run(["send", "email.created", "--any-type"]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('Warning: "email.created" is not in the simulator\'s catalogue');
      expect(stdout).toMatch(/✓ email\.created msg_\w+ → 200 \{"outcome":"ignored"\}/);
      expect(JSON.parse(await state()).users).toEqual(JSON.parse(before).users);
    });

    it("an unreachable --url is named (ECONNREFUSED) with what to check, gives up within seconds, exit 1, and changes nothing", async () => {
      const before = await state();
      const url = `http://127.0.0.1:${await freePort()}/functions/v1/clerk-webhook`;
      const started = Date.now();
      const { code, stdout, stderr } = await run(["send", "user.updated", "--set", "username=nowhere", "--url", url, "--secret", testSecrets.current]);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(code).toBe(1);
      expect(stdout).toMatch(/✗ user\.updated msg_\w+ → no answer: connection refused: nothing listens at 127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 3 attempts/);
      expect(stderr).toContain("Check that the stack is running (`npm run stack`, or `npm run dev`) and that the URL is right: " + url);
      expect(stdout + stderr).not.toContain("undefined");
      expect(await state()).toBe(before);

      // The failed send left no trace in the simulated Clerk: a reconcile finds no difference.
      const reconcile = await clerk(["reconcile", "--dry-run", "--only", "users"], {
        ...env,
        SUPABASE_URL: stack.status.apiUrl,
        SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey,
        CLERK_API_URL: api.url,
        CLERK_SECRET_KEY: api.secretKey,
      });
      expect(reconcile.code, reconcile.stderr).toBe(0);
      // in Clerk, would upsert 0, the same count unchanged, checked, would tombstone 0, invalid 0
      expect(reconcile.stdout).toMatch(/^users\s+(\d+)\s+0\s+\1\s+\d+\s+0\s+0$/m);
      expect(reconcile.stdout).toContain("Dry run: would upsert 0 and tombstone 0.");
    });

    it("an unknown host is named (ENOTFOUND or a DNS failure), exit 1", async () => {
      const { code, stdout } = await run(["send", "user.updated", "--url", "http://no-such-host.invalid/webhook", "--secret", testSecrets.current]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/no answer: (no such host: no-such-host\.invalid does not resolve \(ENOTFOUND\)|DNS lookup of no-such-host\.invalid failed for now \(EAI_AGAIN\))/);
    });

    it("an organization's logo is the local gateway's, and the gateway serves it", async () => {
      const { code, stdout, stderr } = await run(["send", "organization.created", "--set", "name=Difference Engines"]);
      expect(code, stderr).toBe(0);
      const id = createdId(stdout, "organization");
      const { rows } = await db.query<{ image_url: string }>("select image_url from organizations where clerk_id = $1", [id]);
      expect(rows[0].image_url.startsWith(`${stack.status.apiUrl}/dev/avatar/${id}.svg?name=`), rows[0].image_url).toBe(true);
      const logo = await fetch(rows[0].image_url);
      expect(logo.status).toBe(200);
      expect(logo.headers.get("content-type")).toBe("image/svg+xml");
      expect(JSON.parse(await state()).organizations[id].image_url).toBe(rows[0].image_url);
    });

    it("a rename gets a new local avatar, whose initials follow the new name", async () => {
      const created = await run(["send", "user.created", "--set", "first_name=Ada", "--set", "last_name=Byron"]);
      expect(created.code, created.stderr).toBe(0);
      const id = createdId(created.stdout, "user");
      const renamed = await run(["send", "user.updated", "--user", id, "--set", "last_name=Lovelace"]);
      expect(renamed.code, renamed.stderr).toBe(0);
      const { rows } = await db.query<{ image_url: string; last_name: string }>("select image_url, last_name from profiles where clerk_id = $1", [id]);
      expect(rows[0].last_name).toBe("Lovelace");
      expect(new URL(rows[0].image_url).searchParams.get("name")).toBe("Ada Lovelace");
      const avatar = await (await fetch(rows[0].image_url)).text();
      expect(avatar).toContain(">AL<");
    });

    it("replays the shipped example file (exit 0), and a second replay is all duplicates", async () => {
      const first = await run(["replay", exampleEventsFile]);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout.match(/^✓ .* → 200 \{"outcome":"applied"\}$/gm)).toHaveLength(5);
      expect(first.stdout).toContain(`5 events in ${exampleEventsFile}: 5 accepted.`);
      const again = await run(["replay", exampleEventsFile]);
      expect(again.code).toBe(0);
      expect(again.stdout.match(/^✓ .* → 200 \{"outcome":"duplicate"\}$/gm)).toHaveLength(5);
    });

    it("replay reports a bad line by its number, refuses an event without a type by name, and still sends the other lines", async () => {
      const dir = await mkdtemp(join(tmpdir(), "clerk-cli-replay-"));
      const [a, b] = [userJSON({ firstName: "Line", lastName: "One" }), userJSON({ firstName: "Line", lastName: "Five" })];
      const [idA, idB] = [clerkId("msg"), clerkId("msg")];
      const file = join(dir, "events.jsonl");
      await writeFile(file, [
        JSON.stringify({ svix_id: idA, event: envelope("user.created", a, a.created_at) }),
        '{"type": "user.created", "data": {',
        JSON.stringify({ data: { id: "user_without_a_type" } }),
        "",
        JSON.stringify({ svix_id: idB, event: envelope("user.created", b, b.created_at) }),
      ].join("\n"));
      try {
        const { code, stdout } = await run(["replay", file]);
        expect(code).toBe(1);
        expect(stdout).toContain(`✓ user.created ${idA} → 200 {"outcome":"applied"}`);
        expect(stdout).toMatch(/^✗ line 2: not JSON: .+$/m);
        expect(stdout).toContain('✗ line 3: not a Clerk event: it has no "type" (e.g. "user.created")');
        expect(stdout).toContain(`✓ user.created ${idB} → 200 {"outcome":"applied"}`);
        expect(stdout).toContain(`4 events in ${file}: 2 accepted, 2 unreadable.`);
        expect(stdout).not.toContain("undefined");
        expect((await db.query("select count(*)::int as n from clerk_events where svix_id = any($1)", [[idA, idB]])).rows[0].n).toBe(2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("replay of a file that is not there says so and points at the example, exit 1", async () => {
      const { code, stderr } = await run(["replay", "events.jsonl"]);
      expect(code).toBe(1);
      expect(stderr).toContain(`✗ cannot read events.jsonl: no such file. For an example, try ${exampleEventsFile}.`);
    });
  });

  describe("export", () => {
    it("writes the ledger's events as JSONL that replay reads back: the same message ids, so duplicates", async () => {
      expect((await run(["replay", exampleEventsFile])).code).toBe(0);
      const dir = await mkdtemp(join(tmpdir(), "clerk-cli-export-"));
      const file = join(dir, "events.jsonl");
      try {
        const exported = await clerk(["export", "--type", "organization.*", "--out", file], {
          ...env,
          SUPABASE_URL: stack.status.apiUrl,
          SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey,
        });
        expect(exported.code, exported.stderr).toBe(0);
        const lines = (await readFile(file, "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line));
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines.every((line) => line.event.type.startsWith("organization."))).toBe(true);
        expect(lines).toContainEqual(expect.objectContaining({
          svix_id: "msg_2ExampleSocietyCreated00000",
          event: expect.objectContaining({ type: "organization.created", data: expect.objectContaining({ name: "Analytical Society" }) }),
        }));
        expect(exported.stderr).toContain(`Exported ${lines.length} events to ${file}. Send them again with \`npm run clerk -- replay ${file}\`.`);

        const replayed = await run(["replay", file]);
        expect(replayed.code, replayed.stdout).toBe(0);
        expect(replayed.stdout.match(/^✓ organization\.\w+ msg_\w+ → 200 \{"outcome":"duplicate"\}$/gm)).toHaveLength(lines.length);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("prune-ledger", () => {
    const oldRow = (daysAgo: number, outcome?: "applied" | "failed") => insertOldLedgerRow(db, daysAgo, outcome);
    const ledger = async (ids: string[]) =>
      Object.fromEntries((await db.query("select svix_id, payload is not null as kept from clerk_events where svix_id = any($1)", [ids])).rows.map((r) => [r.svix_id, r.kept]));
    const operator = () => ({ ...env, SUPABASE_URL: stack.status.apiUrl, SUPABASE_SERVICE_ROLE_KEY: stack.status.serviceRoleKey });

    it("--dry-run deletes nothing, and says how many rows it would change and which range; the real run then does exactly that", async () => {
      const [recent, older, oldest, failed] = [await oldRow(40), await oldRow(45), await oldRow(50), await oldRow(60, "failed")];
      const args = ["prune-ledger", "--older-than", "30d", "--delete-older-than", "44d"];
      const before = await ledger([recent, older, oldest, failed]);
      expect(before).toEqual({ [recent]: true, [older]: true, [oldest]: true, [failed]: true });

      const dry = await clerk([...args, "--dry-run"], operator());
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("Dry run: nothing was changed.");
      expect(dry.stdout).toMatch(new RegExp(`^Would clear 1 payloads older than 30d: received \\S+ to \\S+, ${recent} … ${recent}\\.$`, "m"));
      expect(dry.stdout).toMatch(new RegExp(`^Would delete 2 rows older than 44d: received \\S+ to \\S+, ${oldest} … ${older}\\.$`, "m"));
      expect(await ledger([recent, older, oldest, failed])).toEqual(before);

      const real = await clerk(args, operator());
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toContain("Cleared 1 payloads older than 30d; deleted 2 rows older than 44d. Failed events were kept.");
      expect(await ledger([recent, older, oldest, failed])).toEqual({ [recent]: false, [failed]: true });
    });
  });
});

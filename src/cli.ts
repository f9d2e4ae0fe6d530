/**
 * The command line: yargs parses, `normalizeConfig` validates, a command runs, and this file
 * alone decides the exit code and calls process.exit.
 *
 * Exit codes: 0 done (also when stdout was closed by the reader, e.g. `| head`), 1 fatal error,
 * 2 bad usage, 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM.
 */
import yargs, { type Argv } from 'yargs';
import { normalizeConfig, type Command, type Config, type RawArgs } from './config.js';
import { EXIT_CODES } from './commands/signals.js';
import { describeError, EtlError, exitCodeOf, UsageError } from './errors.js';
import { createLogger, stderrSink, type Logger } from './log.js';
import { TOOL_VERSION } from './version.js';

/** [what it does, the command]: shown as a block of lines, each command whole on its own line (copyable). */
type Example = [string, string];

const EXAMPLES_COLLECT: Example[] = [
  ['the 100 most downloaded datasets into ./hf_datasets_output', 'hf-datasets collect --limit 100'],
  ['the whole Hub, in a stable order', 'hf-datasets collect --all --sort createdAt --out catalog --no-individual'],
  ['continue an interrupted run', 'hf-datasets collect --all --out catalog --resume'],
  ['stream records as NDJSON', 'hf-datasets collect --limit 500 --ndjson | jq -r .id'],
  ['only what changed since a date', 'hf-datasets collect --sort lastModified --since 2026-11-01 --all --out nightly'],
];
const EXAMPLES_SEARCH: Example[] = [
  ['datasets whose id contains "squad"', 'hf-datasets search squad --limit 20'],
  ['every match, as NDJSON into a pipeline', 'hf-datasets search medical --all --ndjson | jq -r .id'],
];
const EXAMPLES_ENRICH: Example[] = [
  ['add per-file sizes to collected records', 'hf-datasets collect --limit 50 --ndjson | hf-datasets enrich > enriched.ndjson'],
  ['one dataset by id', 'echo rajpurkar/squad | hf-datasets enrich'],
  ['with rows and bytes from the dataset viewer', 'echo rajpurkar/squad | hf-datasets enrich --viewer-stats'],
];

const EXAMPLES_SYNC: Example[] = [
  ['the whole Hub into ./hf_datasets.duckdb (run it nightly)', 'hf-datasets sync'],
  ['a scoped catalog with per-file sizes', 'hf-datasets sync --db medical.duckdb --search medical --file-sizes'],
];

const EXAMPLES_EXPORT: Example[] = [
  ['every present dataset', 'hf-datasets export --format parquet --output hub.parquet'],
  ['records on stdout', 'hf-datasets export --format ndjson | jq -r .id'],
];

const EXAMPLES_SERVE: Example[] = [
  ['browse ./hf_datasets.duckdb at http://127.0.0.1:8080/', 'hf-datasets serve'],
  ['another catalog, any free port', 'hf-datasets serve --db medical.duckdb --port 0'],
];

const EXAMPLES_REPORT: Example[] = [
  ['the catalog at a glance as one HTML file', 'hf-datasets report --output hub-report.html'],
];

const EXAMPLES_QUERY: Example[] = [
  ['the ten most liked datasets', "hf-datasets query 'SELECT id, likes FROM datasets ORDER BY likes DESC LIMIT 10'"],
  ['as NDJSON', "hf-datasets query --format ndjson 'SELECT id, license FROM datasets'"],
];

const EXAMPLE_WIDTH = 5 + Math.max(...[...EXAMPLES_COLLECT, ...EXAMPLES_SEARCH, ...EXAMPLES_ENRICH, ...EXAMPLES_SYNC, ...EXAMPLES_EXPORT, ...EXAMPLES_SERVE, ...EXAMPLES_REPORT, ...EXAMPLES_QUERY].map(([, command]) => command.length));

/**
 * The examples and exit codes after a command's options. yargs' own example table wraps a long
 * command in the middle (it could not be copied); here each command is a line of its own.
 */
function epilog(examples: Example[]): string {
  const lines = ['Examples:'];
  for (const [what, command] of examples) lines.push(`  ${what}:`, `    ${command}`);
  return `${lines.join('\n')}\n\n${EXIT_CODES_HELP}`;
}

/** Appended to the error line when the Hub cannot be reached at all. */
const UNREACHABLE_HINT = ' (is the Hub address right? it comes from --endpoint or HF_ENDPOINT; to try the tool without the Hub, `npm run demo` runs it against a local fake Hub)';

const EXIT_CODES_HELP = 'Exit codes: 0 done, 1 fatal error, 2 bad usage, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).';

/** The query options; `search` has its TERM instead of --search. */
function queryOptions(y: Argv, withSearch: boolean): Argv {
  y = y
    .option('limit', { type: 'string', describe: 'how many datasets (default 100)' })
    .option('all', { type: 'boolean', describe: 'no limit: every dataset the query matches' });
  if (withSearch) y = y.option('search', { type: 'string', describe: "substring of the repo id (the Hub's search)" });
  return y
    .option('author', { type: 'string', describe: 'owner (user or organisation)' })
    .option('filter', { type: 'string', array: true, requiresArg: true, describe: 'tag filter, repeatable (AND), e.g. language:en' })
    .option('sort', { type: 'string', describe: 'downloads | likes | lastModified | createdAt | trendingScore (descending; default downloads)' })
    .option('since', { type: 'string', describe: 'ISO date; with --sort lastModified|createdAt: stop at the first older dataset' })
    .option('file-sizes', { type: 'boolean', describe: 'one detail call a dataset for per-file sizes' })
    .option('viewer-stats', { type: 'boolean', describe: 'rows, splits and bytes from the dataset viewer (one /size call a dataset)' })
    .option('individual', { type: 'boolean', default: true, describe: 'write individual_datasets/ (--no-individual to skip)' })
    .option('out', { type: 'string', describe: 'output folder (default ./hf_datasets_output)' })
    .option('ndjson', { type: 'boolean', describe: 'write records as NDJSON to stdout (files only with --out)' })
    .option('resume', { type: 'boolean', describe: 'continue the unfinished run in --out DIR' });
}

function networkOptions(y: Argv): Argv {
  return y
    .option('concurrency', { type: 'string', describe: 'most requests in flight (default 4)' })
    .option('timeout', { type: 'string', describe: 'seconds per request (default 30)' })
    .option('max-retries', { type: 'string', describe: 'retries per request (default 5)' })
    .option('endpoint', { type: 'string', describe: 'Hub base URL (env HF_ENDPOINT; default https://huggingface.co)' })
    .option('viewer-endpoint', { type: 'string', describe: 'dataset viewer base URL (default https://datasets-server.huggingface.co)' })
    .option('token', { type: 'string', describe: 'access token (env HF_TOKEN, or the token file)' })
    .option('quiet', { type: 'boolean', describe: 'warnings and errors only, no progress' })
    .option('log-level', { type: 'string', describe: 'debug | info | warn | error | silent (default info)' })
    .option('log-format', { type: 'string', describe: 'text (default) | json: one pino JSON object a line on stderr' });
}

function syncOptions(y: Argv): Argv {
  return y
    .option('db', { type: 'string', describe: 'the catalog file (default ./hf_datasets.duckdb)' })
    .option('search', { type: 'string', describe: 'scope: substring of the repo id (fixed by the first sync)' })
    .option('author', { type: 'string', describe: 'scope: owner (fixed by the first sync)' })
    .option('filter', { type: 'string', array: true, describe: 'scope: tag filter, repeatable (fixed by the first sync)' })
    .option('file-sizes', { type: 'boolean', describe: 'per-file sizes, fetched only for datasets added or changed since the last sync' })
    .option('viewer-stats', { type: 'boolean', describe: 'rows, splits and bytes from the dataset viewer, asked only for datasets added or changed (or not ready) since the last sync' })
    // accepted only to say they do not apply (a sync always walks its whole scope)
    .option('limit', { type: 'string', hidden: true })
    .option('all', { type: 'boolean', hidden: true })
    .option('sort', { type: 'string', hidden: true })
    .option('since', { type: 'string', hidden: true });
}

function exportOptions(y: Argv): Argv {
  return y
    .option('db', { type: 'string', describe: 'the catalog file (default ./hf_datasets.duckdb)' })
    .option('format', { type: 'string', describe: 'parquet | ndjson | csv' })
    .option('output', { type: 'string', describe: 'the file to write (required for parquet; ndjson and csv go to stdout without it)' })
    .option('include-removed', { type: 'boolean', describe: 'also datasets no longer on the Hub' })
    .option('quiet', { type: 'boolean', describe: 'warnings and errors only' })
    .option('log-level', { type: 'string', describe: 'debug | info | warn | error | silent (default info)' });
}

function browseOptions(y: Argv, extra: (y: Argv) => Argv): Argv {
  return extra(y.option('db', { type: 'string', describe: 'the catalog file (default ./hf_datasets.duckdb)' }))
    .option('quiet', { type: 'boolean', describe: 'warnings and errors only' })
    .option('log-level', { type: 'string', describe: 'debug | info | warn | error | silent (default info)' });
}

const COMMANDS = ['collect', 'search', 'enrich', 'sync', 'export', 'serve', 'report', 'query'];
/** The commands as a user types them (the usage lines name them this way). */
const COMMANDS_WORDS = 'collect, search TERM, enrich, sync, export, serve, report or query SQL';

/** yargs' wording of a usage error → one line that says what to do. */
export function usageMessage(msg: string, argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  if (/^Not enough non-option arguments/.test(msg) && first === 'search') return 'search needs a TERM: hf-datasets search TERM';
  if (/^Not enough non-option arguments/.test(msg) && first === 'query') return 'query needs the SQL: hf-datasets query "SELECT count(*) FROM datasets"';
  const missing = /^Not enough arguments following: (.+)$/.exec(msg);
  if (missing) return `--${missing[1]} needs a value${missing[1] === 'filter' ? ' (e.g. --filter language:en)' : ''}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (unknown) {
    const names = unknown[1]!.split(', ');
    if (first !== undefined && !COMMANDS.includes(first)) return `unknown command ${JSON.stringify(first)}: use ${COMMANDS_WORDS} (see hf-datasets --help)`;
    const name = names[0]!;
    const option = argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `-${name}`);
    const where = first !== undefined ? `hf-datasets ${first} --help` : 'hf-datasets --help';
    return option ? `unknown option --${name} (see ${where})` : `unexpected argument ${JSON.stringify(name)} (see ${where})`;
  }
  return msg;
}

/**
 * `query`'s SQL may begin with a comment (`-- …`), which yargs would read as an option: an argument
 * that starts with `-` and holds whitespace (no option does) is passed after `--`, as the SQL.
 */
export function protectSql(argv: string[]): string[] {
  if (argv.find((a) => !a.startsWith('-')) !== 'query' || argv.includes('--')) return argv;
  const i = argv.findIndex((a) => a.startsWith('-') && /\s/.test(a));
  return i === -1 ? argv : [...argv.slice(0, i), ...argv.slice(i + 1), '--', argv[i]!];
}

/** Parses argv into the command and its raw options. Throws UsageError. */
export async function parseArgs(argv: string[]): Promise<{ command: Command | 'help' | null; args: RawArgs; helpText?: string }> {
  argv = protectSql(argv);
  let picked: Command | null = null;
  const parser = yargs(argv);
  // never narrower than the longest example, so no command is broken across lines
  parser.wrap(Math.max(parser.terminalWidth(), EXAMPLE_WIDTH));
  parser
    .scriptName('hf-datasets')
    .usage('$0 <command> [options]\n\nCollects the metadata and links of Hugging Face Hub datasets (never their data files).')
    .command('collect', 'list datasets, build records, write the JSON files (and/or NDJSON)', (y) => networkOptions(queryOptions(y, true)).epilog(epilog(EXAMPLES_COLLECT)), () => {
      picked = 'collect';
    })
    .command('search <term>', 'collect the datasets whose id matches TERM into search_<term>_<ts>.json', (y) =>
      networkOptions(queryOptions(y.positional('term', { type: 'string', describe: 'text to find in repo ids' }), false)).epilog(epilog(EXAMPLES_SEARCH)),
      () => {
        picked = 'search';
      },
    )
    .command('enrich', 'read repo ids or NDJSON records on stdin, write records with file sizes as NDJSON', (y) =>
      networkOptions(y.option('viewer-stats', { type: 'boolean', describe: 'add rows, splits and bytes from the dataset viewer' })).epilog(epilog(EXAMPLES_ENRICH)),
      () => {
        picked = 'enrich';
      },
    )
    .command('sync', 'keep a DuckDB catalog of the Hub up to date (added, updated, removed datasets)', (y) =>
      networkOptions(syncOptions(y)).epilog(`${epilog(EXAMPLES_SYNC)} An interrupted sync is continued by the next one.`),
      () => {
        picked = 'sync';
      },
    )
    .command('export', 'write the catalog as Parquet, NDJSON or CSV', (y) =>
      exportOptions(y).epilog(epilog(EXAMPLES_EXPORT)),
      () => {
        picked = 'export';
      },
    )
    .command('serve', 'browse the catalog in a web browser (search, facets, datasets, changes, stats, JSON API)', (y) =>
      browseOptions(y, (y) => y
        .option('host', { type: 'string', describe: 'address to listen on (default 127.0.0.1: this machine only)' })
        .option('port', { type: 'string', describe: 'port (default 8080; 0 = any free port)' })).epilog(`${epilog(EXAMPLES_SERVE)} Stopped by Ctrl-C or SIGTERM, serve exits 0.`),
      () => {
        picked = 'serve';
      },
    )
    .command('report', 'write the catalog at a glance and the latest changes as one self-contained HTML file', (y) =>
      browseOptions(y, (y) => y.option('output', { type: 'string', describe: 'the HTML file to write' })).epilog(epilog(EXAMPLES_REPORT)),
      () => {
        picked = 'report';
      },
    )
    .command('query [sql]', 'run one read-only SQL query over the catalog (no files, no network)', (y) =>
      browseOptions(y.positional('sql', { type: 'string', describe: 'the SQL (one SELECT)' }), (y) =>
        y.option('format', { type: 'string', describe: 'table | csv | ndjson | json (default: table on a terminal, else csv)' })).epilog(epilog(EXAMPLES_QUERY)),
      () => {
        picked = 'query';
      },
    )
    .epilog(`${EXIT_CODES_HELP}\nRun with no arguments on a terminal for the interactive menu.`)
    .strict()
    .version(TOOL_VERSION)
    .help()
    .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false })
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err instanceof UsageError ? err : new UsageError(usageMessage(msg ?? describeError(err), argv));
    });
  return await new Promise((resolve, reject) => {
    const fail = (err: unknown): void => reject(err instanceof UsageError ? err : new UsageError(usageMessage(describeError(err), argv)));
    try {
      void parser.parse(argv, {}, (err: Error | undefined, parsedArgv: unknown, output: string) => {
        if (err) return fail(err);
        const args = parsedArgv as RawArgs;
        if (output) return resolve({ command: 'help', args, helpText: output });
        resolve({ command: picked, args });
      });
    } catch (err) {
      fail(err);
    }
  });
}

function writeStderr(line: string): void {
  stderrSink.write(line.endsWith('\n') ? line : line + '\n');
}

type CommandRunner = (config: Config, log: Logger) => Promise<number>;

/**
 * Each command's module (imported when it runs, so a plain `collect` never loads DuckDB) and whether it
 * opens a catalog (its process tuning must come before DuckDB loads).
 */
const COMMAND_RUNNERS: Record<Command, { catalog: boolean; load: () => Promise<CommandRunner> }> = {
  collect: { catalog: false, load: async () => (await import('./commands/collect.js')).runCollectCommand },
  search: { catalog: false, load: async () => (await import('./commands/collect.js')).runCollectCommand },
  enrich: { catalog: false, load: async () => (await import('./commands/enrich.js')).runEnrichCommand },
  sync: { catalog: true, load: async () => (await import('./commands/sync.js')).runSyncCommand },
  export: { catalog: true, load: async () => (await import('./commands/export.js')).runExportCommand },
  serve: { catalog: true, load: async () => (await import('./commands/serve.js')).runServeCommand },
  report: { catalog: true, load: async () => (await import('./commands/report.js')).runReportCommand },
  query: { catalog: true, load: async () => (await import('./commands/query.js')).runQueryCommand },
};

/** Runs the CLI and exits the process. */
export async function main(argv: string[]): Promise<never> {
  process.exit(await run(argv));
}

/** Everything but the exit; returns the exit code (never throws: a failure is one line on stderr). */
export async function run(argv: string[]): Promise<number> {
  let debug = false;
  try {
    // before any work grows the heap: every command, the menu's runs included (see process-tuning.ts)
    const { keepYoungGenerationSmall, tuneProcessForCatalog } = await import('./commands/process-tuning.js');
    keepYoungGenerationSmall();
    if (argv.length === 0) {
      if (process.stdin.isTTY && process.stdout.isTTY) {
        const { runMenu } = await import('./commands/menu.js');
        return await runMenu();
      }
      const { helpText } = await parseArgs(['--help']);
      writeStderr(helpText ?? 'usage: hf-datasets <collect|search|enrich> [options]');
      return EXIT_CODES.usage;
    }
    const parsed = await parseArgs(argv);
    if (parsed.command === 'help') {
      process.stdout.write(parsed.helpText!.endsWith('\n') ? parsed.helpText! : parsed.helpText + '\n');
      return EXIT_CODES.ok;
    }
    if (parsed.command === null) throw new UsageError(`say which command: ${COMMANDS_WORDS} (see --help)`);
    const config = normalizeConfig(parsed.command, parsed.args);
    debug = config.logLevel === 'debug';
    const log = createLogger(config.logLevel, config.logFormat);
    const run = COMMAND_RUNNERS[config.command];
    // every command that opens a catalog (serve, report and query read snapshots of it) loads DuckDB after this
    if (run.catalog) tuneProcessForCatalog();
    return await (await run.load())(config, log);
  } catch (err) {
    const hint = err instanceof EtlError && err.code === 'ETL_UNREACHABLE' ? UNREACHABLE_HINT : '';
    writeStderr(`hf-datasets: ${describeError(err)}${hint}`);
    if (debug && err instanceof Error && err.stack) writeStderr(err.stack);
    return exitCodeOf(err);
  }
}

/**
 * The command line: yargs parses, `normalizeConfig` validates, a command runs, and this file
 * alone decides the exit code and calls process.exit.
 *
 * Exit codes: 0 done (also when stdout was closed by the reader, e.g. `| head`), 1 fatal error,
 * 2 bad usage, 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM.
 */
import yargs, { type Argv } from 'yargs';
import { normalizeConfig, type Command, type RawArgs } from './config.js';
import { EXIT_CODES } from './commands/signals.js';
import { describeError, UsageError } from './errors.js';
import { createLogger, stderrSink } from './log.js';
import { TOOL_VERSION } from './version.js';

const EXAMPLES_COLLECT: Array<[string, string]> = [
  ['$0 collect --limit 100', 'the 100 most downloaded datasets into ./hf_datasets_output'],
  ['$0 collect --all --sort createdAt --out catalog --no-individual', 'the whole Hub, in a stable order'],
  ['$0 collect --all --out catalog --resume', 'continue an interrupted run'],
  ['$0 collect --limit 500 --ndjson | jq -r .id', 'stream records as NDJSON'],
  ['$0 collect --sort lastModified --since 2026-11-01 --all --out nightly', 'only what changed since a date'],
];

const EXIT_CODES_HELP = 'Exit codes: 0 done, 1 fatal error, 2 bad usage, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).';

function commonOptions(y: Argv): Argv {
  return y
    .option('limit', { type: 'string', describe: 'how many datasets (default 100)' })
    .option('all', { type: 'boolean', describe: 'no limit: every dataset the query matches' })
    .option('search', { type: 'string', describe: "substring of the repo id (the Hub's search)" })
    .option('author', { type: 'string', describe: 'owner (user or organisation)' })
    .option('filter', { type: 'string', array: true, describe: 'tag filter, repeatable (AND), e.g. language:en' })
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

/** Parses argv into the command and its raw options. Throws UsageError. */
export async function parseArgs(argv: string[]): Promise<{ command: Command | 'help' | null; args: RawArgs; helpText?: string }> {
  let picked: Command | null = null;
  const parser = yargs(argv)
    .scriptName('hf-datasets')
    .usage('$0 <command> [options]\n\nCollects the metadata and links of Hugging Face Hub datasets (never their data files).')
    .command('collect', 'list datasets, build records, write the JSON files (and/or NDJSON)', (y) => networkOptions(commonOptions(y)).example(EXAMPLES_COLLECT).epilog(EXIT_CODES_HELP), () => {
      picked = 'collect';
    })
    .command('search <term>', 'collect the datasets whose id matches TERM into search_<term>_<ts>.json', (y) =>
      networkOptions(commonOptions(y.positional('term', { type: 'string', describe: 'text to find in repo ids' }))).example([
        ['$0 search squad --limit 20', 'datasets whose id contains "squad"'],
        ['$0 search medical --all --ndjson | jq -c "{id, likes: .statistics.likes}"', 'a pipeline'],
      ]).epilog(EXIT_CODES_HELP),
      () => {
        picked = 'search';
      },
    )
    .command('enrich', 'read repo ids or NDJSON records on stdin, write records with file sizes as NDJSON', (y) =>
      networkOptions(y.option('viewer-stats', { type: 'boolean', describe: 'add rows, splits and bytes from the dataset viewer' })).example([
        ['$0 collect --limit 50 --ndjson | $0 enrich > enriched.ndjson', 'add per-file sizes'],
        ['echo rajpurkar/squad | $0 enrich', 'one dataset by id'],
        ['echo rajpurkar/squad | $0 enrich --viewer-stats', 'with rows and bytes from the dataset viewer'],
      ]).epilog(EXIT_CODES_HELP),
      () => {
        picked = 'enrich';
      },
    )
    .command('sync', 'keep a DuckDB catalog of the Hub up to date (added, updated, removed datasets)', (y) =>
      networkOptions(syncOptions(y)).example([
        ['$0 sync', 'the whole Hub into ./hf_datasets.duckdb (run it nightly)'],
        ['$0 sync --db medical.duckdb --search medical --file-sizes', 'a scoped catalog with per-file sizes'],
      ]).epilog(`${EXIT_CODES_HELP} An interrupted sync is continued by the next one.`),
      () => {
        picked = 'sync';
      },
    )
    .command('export', 'write the catalog as Parquet, NDJSON or CSV', (y) =>
      exportOptions(y).example([
        ['$0 export --format parquet --output hub.parquet', 'every present dataset'],
        ['$0 export --format ndjson | jq -r .id', 'records on stdout'],
      ]).epilog(EXIT_CODES_HELP),
      () => {
        picked = 'export';
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
      throw err instanceof UsageError ? err : new UsageError(msg ?? describeError(err));
    });
  return await new Promise((resolve, reject) => {
    const fail = (err: unknown): void => reject(err instanceof UsageError ? err : new UsageError(describeError(err)));
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

/** Runs the CLI and exits the process. */
export async function main(argv: string[]): Promise<never> {
  process.exit(await run(argv));
}

/** Everything but the exit; returns the exit code (never throws: a failure is one line on stderr). */
export async function run(argv: string[]): Promise<number> {
  let debug = false;
  try {
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
    if (parsed.command === null) throw new UsageError('say which command: collect, search TERM, enrich, sync or export (see --help)');
    const config = normalizeConfig(parsed.command, parsed.args);
    debug = config.logLevel === 'debug';
    const log = createLogger(config.logLevel, config.logFormat);
    if (config.command === 'sync') {
      const { runSyncCommand } = await import('./commands/sync.js');
      return await runSyncCommand(config, log);
    }
    if (config.command === 'export') {
      const { runExportCommand } = await import('./commands/export.js');
      return await runExportCommand(config, log);
    }
    if (config.command === 'enrich') {
      const { runEnrichCommand } = await import('./commands/enrich.js');
      return await runEnrichCommand(config, log);
    }
    const { runCollectCommand } = await import('./commands/collect.js');
    return await runCollectCommand(config, log);
  } catch (err) {
    writeStderr(`hf-datasets: ${describeError(err)}`);
    if (debug && err instanceof Error && err.stack) writeStderr(err.stack);
    return err instanceof UsageError ? EXIT_CODES.usage : EXIT_CODES.fatal;
  }
}

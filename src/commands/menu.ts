/**
 * The interactive menu (`hf-datasets` with no arguments on a terminal): 1 the first 100 datasets,
 * 2 a custom amount, 3 search dataset ids for a word (up to 100 matches), 4 exit. Wrong input is asked again.
 * Files go to ./hf_datasets_output; after each run it shows the summary and where the files are,
 * then the menu again.
 *
 * Ctrl-C at a prompt exits 130 quietly (only a newline). Each prompt gets its own readline
 * interface, closed before a run starts: that takes the terminal out of raw mode, so Ctrl-C during
 * a run is a real SIGINT and stops it exactly as on the command line (files closed with
 * `"complete": false`, exit 130).
 */
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DEFAULT_ENDPOINT, DEFAULT_OUT, MAX_LIMIT, normalizeConfig, type Command, type RawArgs } from '../config.js';
import { describeError } from '../errors.js';
import { createLogger, stderrSink } from '../log.js';
import type { CollectResult } from '../pipeline/collect.js';
import { runCollectCommand, summaryLine } from './collect.js';
import { EXIT_CODES } from './signals.js';

export interface MenuOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

const SEARCH_LIMIT = 100;

/** Ctrl-C (or SIGINT) at a prompt. */
class PromptInterrupted extends Error {}
/** stdin ended (Ctrl-D) at a prompt. */
class PromptClosed extends Error {}

/** `1`..`4` (surrounding blanks allowed; `q`, `quit`, `exit` mean 4), else null. */
export function parseChoice(s: string): 1 | 2 | 3 | 4 | null {
  const t = s.trim().toLowerCase().replace(/[.)]$/, '');
  if (t === '1' || t === '2' || t === '3' || t === '4') return Number(t) as 1 | 2 | 3 | 4;
  return t === 'q' || t === 'quit' || t === 'exit' ? 4 : null;
}

/** A whole number from 1 to 10,000,000 (`1_000` and `1,000` allowed), else null. */
export function parseAmount(s: string): number | null {
  const t = s.trim().replace(/[_,]/g, '');
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= MAX_LIMIT ? n : null;
}

/** The menu; returns the exit code (0 after "exit", 130 after Ctrl-C). */
export async function runMenu(options: MenuOptions = {}): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const env = options.env ?? process.env;
  const say = (text: string): void => void output.write(text);

  // Check the environment (HF_ENDPOINT…) once, before the first prompt: a UsageError ends here (exit 2).
  const probe = normalizeConfig('collect', {}, env);
  const outDir = resolve(DEFAULT_OUT);

  async function ask<T>(prompt: string, parse: (s: string) => T | null, again: string): Promise<T> {
    for (;;) {
      const value = parse(await question(input, output, prompt));
      if (value !== null) return value;
      say(`${again}\n`);
    }
  }

  say(`\nHugging Face dataset collector\n`);
  say(`Hub: ${probe.endpoint}${probe.endpoint === DEFAULT_ENDPOINT ? '' : ' (HF_ENDPOINT)'}, ${probe.token ? 'with your token' : 'anonymous'}\n`);
  try {
    for (;;) {
      say(
        `\n  1) Collect the first 100 datasets (most downloaded)\n` +
          `  2) Collect a custom number of datasets\n` +
          `  3) Search dataset ids for a word (up to ${SEARCH_LIMIT} matches)\n` +
          `  4) Exit\n` +
          `Files go to ${outDir}\n\n`,
      );
      const choice = await ask('Choose 1-4: ', parseChoice, 'Please type 1, 2, 3 or 4.');
      if (choice === 4) {
        say('Bye.\n');
        return EXIT_CODES.ok;
      }
      let command: Command = 'collect';
      let raw: RawArgs;
      if (choice === 1) {
        raw = { limit: '100' };
      } else if (choice === 2) {
        const n = await ask(`How many datasets? (1-${MAX_LIMIT}): `, parseAmount, `Please type a whole number from 1 to ${MAX_LIMIT}.`);
        raw = { limit: String(n) };
      } else {
        const term = await ask('Search term (matched against dataset ids, e.g. squad): ', (s) => (s.trim() ? s.trim() : null), 'Please type a word to search for.');
        command = 'search';
        raw = { term, limit: String(SEARCH_LIMIT) };
      }
      const code = await runOnce(command, raw, env, say);
      if (code !== EXIT_CODES.ok) return code;
    }
  } catch (err) {
    // readline already moved to a fresh line when the question was cancelled: nothing more to print
    if (err instanceof PromptInterrupted) return EXIT_CODES.sigint;
    if (err instanceof PromptClosed) return EXIT_CODES.ok;
    throw err;
  }
}

/**
 * One run with the CLI's own code path. Returns 0 to show the menu again (also after a fatal error,
 * which is reported), or the exit code of an interrupted run.
 */
async function runOnce(command: Command, raw: RawArgs, env: NodeJS.ProcessEnv, say: (text: string) => void): Promise<number> {
  const config = normalizeConfig(command, raw, env); // files go to DEFAULT_OUT, relative to the cwd
  // The menu prints the summary itself; warnings and errors still reach stderr.
  const log = createLogger('warn');
  const what = command === 'search' ? `datasets matching "${config.query.search}" (up to ${config.query.limit})` : `the first ${config.query.limit} datasets`;
  say(`\nCollecting ${what}… (Ctrl-C stops and keeps what was collected)\n`);
  const seen: { result?: CollectResult } = {};
  try {
    const code = await runCollectCommand(config, log, (r) => (seen.result = r));
    if (code === EXIT_CODES.ok && seen.result) say(describeResult(seen.result));
    return code;
  } catch (err) {
    stderrSink.write(`hf-datasets: ${describeError(err)}\n`);
    say('The run failed (see above); files written so far are closed with "complete": false.\n');
    return EXIT_CODES.ok;
  }
}

/** The summary line, then where the files are. */
export function describeResult(r: CollectResult): string {
  const lines = [`\nDone: ${summaryLine({ ...r, paths: null })}`]; // the files are listed below
  if (r.paths) {
    const dir = dirname(resolve(r.paths.aggregate));
    lines.push(`Files in ${dir}:`, `  ${basename(r.paths.aggregate)}  (every record)`, `  ${basename(r.paths.links)}  (the links of each dataset)`);
    if (r.paths.individual) lines.push(`  individual_datasets/  (one file per dataset)`);
  }
  return lines.join('\n') + '\n';
}

/**
 * One question on its own readline interface (closed afterwards, which leaves raw mode).
 * Throws PromptInterrupted on Ctrl-C or SIGINT, PromptClosed when stdin ends.
 */
async function question(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, prompt: string): Promise<string> {
  const rl = createInterface({ input, output });
  const ac = new AbortController();
  // why the question ended; set by whichever comes first
  const state: { why: 'sigint' | 'eof' | 'answered' | null } = { why: null };
  const onSigint = (): void => {
    state.why ??= 'sigint';
    ac.abort();
  };
  rl.on('SIGINT', onSigint);
  process.on('SIGINT', onSigint);
  rl.on('close', () => {
    state.why ??= 'eof';
    ac.abort();
  });
  try {
    const answer = await rl.question(prompt, { signal: ac.signal });
    state.why ??= 'answered';
    return answer;
  } catch (err) {
    if (state.why === 'sigint') throw new PromptInterrupted();
    if (state.why === 'eof') throw new PromptClosed();
    throw err;
  } finally {
    state.why ??= 'answered';
    process.off('SIGINT', onSigint);
    rl.close();
  }
}

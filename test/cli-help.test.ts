/**
 * `--help` for every command (on stdout, exit 0, with examples and the exit codes), `--version`,
 * and no arguments when not on a terminal (usage on stderr, exit 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';

const EXIT_CODES = /Exit codes: 0 done, 1 fatal error, 2 bad usage, 130 interrupted \(Ctrl-C\), 143\s+terminated \(SIGTERM\)/;

describe.concurrent('help and version', () => {
  const cases: Array<[string[], RegExp[]]> = [
    [['--help'], [/hf-datasets <command> \[options\]/, /hf-datasets collect/, /hf-datasets search <term>/, /hf-datasets enrich/, /interactive menu/]],
    [['collect', '--help'], [/--limit/, /--all/, /--out/, /--ndjson/, /--resume/, /--file-sizes/, /--endpoint/, /Examples:/, /hf-datasets collect --limit 100/]],
    [['search', '--help'], [/hf-datasets search <term>/, /--limit/, /Examples:/, /hf-datasets search squad/]],
    [['enrich', '--help'], [/stdin/, /--concurrency/, /--token/, /Examples:/, /hf-datasets enrich/]],
  ];
  for (const [args, patterns] of cases) {
    it(`${args.join(' ')}: help on stdout, exit 0, exit codes documented`, async ({ expect }) => {
      const r = await runCli(args, { timeoutMs: 10_000 });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const p of patterns) expect(r.stdout).toMatch(p);
      expect(r.stdout).toMatch(EXIT_CODES);
    });
  }

  it('--version prints the package version, exit 0', async ({ expect }) => {
    const r = await runCli(['--version'], { timeoutMs: 10_000 });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.stderr).toBe('');
  });

  it('no arguments and not a terminal: usage on stderr, exit 2', async ({ expect }) => {
    const r = await runCli([], { timeoutMs: 10_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/hf-datasets <command> \[options\]/);
  });
});

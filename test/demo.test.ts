/**
 * `npm run demo` (node dist/test/helpers/demo.js): runs offline in seconds, exits 0, shows each step,
 * leaves the files it talks about, and loads nothing but node: built-ins and project files.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, removeLater, ROOT } from './helpers/cli.js';

const DEMO = join(ROOT, 'dist', 'test', 'helpers', 'demo.js');

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    // HTTPS_PROXY set on purpose: the demo must still reach the fake Hub directly
    const env = cliEnv({ HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', HF_ENDPOINT: 'http://unused.invalid' });
    const child = spawn(process.execPath, [DEMO], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Every module specifier the compiled demo loads, following relative imports. */
function importsOf(entry: string): Set<string> {
  const seen = new Set<string>();
  const specs = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = (m[1] ?? m[2])!;
      specs.add(spec);
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
    }
  };
  visit(entry);
  return specs;
}

describe('npm run demo', () => {
  it('runs the CLI against the fake Hub: collect to files, NDJSON, search; exit 0 in seconds', async () => {
    const r = await runDemo();
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['=== 1. A fake Hugging Face Hub', '=== 2. Collect the 20', '=== 3. Stream 5 records as NDJSON', '=== 4. Search', '=== 5. Done']) {
      expect(r.stdout).toContain(h);
    }
    expect(r.stdout).toMatch(/\$ hf-datasets collect --limit 20 --out /);
    expect(r.stdout).toMatch(/individual_datasets\/ {2}\(20 files/);
    expect(r.stdout).toContain('5 lines on stdout');
    expect(r.stdout).toContain('{"id":"rajpurkar/squad","likes":');
    expect(r.stdout).toMatch(/search_squad_\d{8}_\d{6}\.json: \d+ datasets/);
    expect(r.stderr).toContain('collected 20 datasets, 0 failed');
    expect(r.stderr).not.toMatch(/demo failed|Error/);

    const dir = /All files are in (.+)/.exec(r.stdout)?.[1];
    if (dir) removeLater(dirname(dir)); // the demo's folder: it leaves its files for the reader
    expect(dir && existsSync(dir)).toBeTruthy();
    const names = readdirSync(dir!);
    expect(names.some((n) => n.startsWith('all_datasets_metadata_'))).toBe(true);
    expect(names.some((n) => n.startsWith('dataset_links_summary_'))).toBe(true);
    expect(names.some((n) => n.startsWith('search_squad_'))).toBe(true);
  });

  it('loads only node: built-ins and project files', () => {
    const external = [...importsOf(DEMO)].filter((s) => !s.startsWith('node:') && !s.startsWith('.'));
    expect(external).toEqual([]);
  });
});

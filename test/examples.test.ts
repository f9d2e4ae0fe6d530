/**
 * The README's library examples run as written (against the fake Hub), and a TypeScript consumer
 * compiles with --strict against the emitted declarations.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ndjsonLines, outputFiles, readJson, ROOT, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

function run(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('library examples', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('the README shows each example exactly as the file holds it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of ['sizes-to-ndjson.mjs', 'catalog-and-top.mjs']) {
      expect(readme).toContain(readFileSync(join(ROOT, 'examples', name), 'utf8'));
    }
  });

  it('sizes-to-ndjson prints one author’s datasets with file sizes', async () => {
    const r = await run([join(ROOT, 'examples', 'sizes-to-ndjson.mjs')], cliEnv({ HF_ENDPOINT: hub.url }));
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.author).toBe('allenai');
  });

  it('catalog-and-top writes a complete catalog and prints three lines', async () => {
    const out = tempDir();
    const r = await run([join(ROOT, 'examples', 'catalog-and-top.mjs'), out], cliEnv({ HF_ENDPOINT: hub.url }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    const agg = readJson(outputFiles(out).aggregate[0]!);
    expect(agg.summary.complete).toBe(true);
    expect(agg.collection_info.query).toMatchObject({ sort: 'likes', limit: 50 });
  });

  it('a TypeScript consumer compiles with --strict against the declarations', async () => {
    const r = await run([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'examples', 'tsconfig.json')], process.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

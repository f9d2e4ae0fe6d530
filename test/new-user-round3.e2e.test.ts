/**
 * What a new user's third trial turned up (issue 21), each through the real CLI: an output folder
 * that cannot be made (/proc, read-only media), a SIGTERM while the reader of stdout has stopped
 * reading, and a full disk (a tiny tmpfs) that must leave the aggregate valid JSON.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, readJson, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { mountReadOnly, mountsAllowed, mountTmpfs, unmount } from './helpers/mounts.js';

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

describe('output folders that cannot be made', () => {
  it.skipIf(!existsSync('/proc/self'))('collect --out /proc/out fails at once with one line, exit 1 (Node\'s recursive mkdir looped there)', async () => {
    hub = await startFakeHub();
    for (const out of ['/proc/out', '/proc/out/deeper']) {
      const r = await runCli(['collect', '--limit', '3', '--out', out, '--endpoint', hub.url], { timeoutMs: 20_000 });
      expect(r.signal, 'killed: the run did not end').toBeNull();
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`hf-datasets: cannot use ${out} as the output folder: the file system does not allow a folder there (ENOENT)`]);
    }
  });

  it.skipIf(!mountsAllowed)('collect --out <read-only mount>/x says read-only file system (mount --bind, ro)', async () => {
    hub = await startFakeHub();
    const dir = tempDir('hfds-ro-');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'ro'));
    mountReadOnly(join(dir, 'src'), join(dir, 'ro'));
    try {
      for (const out of [join(dir, 'ro', 'x'), join(dir, 'ro', 'x', 'y')]) {
        const r = await runCli(['collect', '--limit', '3', '--out', out, '--endpoint', hub.url], { timeoutMs: 20_000 });
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toEqual([`hf-datasets: cannot use ${out} as the output folder: a read-only file system (EROFS)`]);
      }
    } finally {
      unmount(join(dir, 'ro'));
    }
  });
});

describe('SIGTERM always ends the process', () => {
  it('while the reader of stdout has stopped reading: exits 143 within the grace period, saying so', async () => {
    hub = await startFakeHub({ synthetic: 20_000 });
    const child = spawn(process.execPath, [BIN, 'collect', '--all', '--ndjson', '--no-individual', '--out', tempDir('hfds-term-'), '--endpoint', hub.url], {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // stdout is never read: once the pipe is full the run waits for a reader that never comes
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    try {
      // records have started to arrive (never taken out): the rest of the first page of 1,000 (~5 MB,
      // far more than a pipe holds) waits in the CLI for a reader
      await new Promise((resolve) => child.stdout!.once('readable', resolve));
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect(signal, 'killed: SIGTERM did not end the process').toBeNull();
      expect(code).toBe(143);
      expect(stderr).toMatch(/SIGTERM received: finishing the files/);
      expect(stderr).toMatch(/still finishing the files 10 s after SIGTERM; quitting now/);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('a full disk', () => {
  it.skipIf(!mountsAllowed)('ENOSPC: the aggregate and links files stay valid JSON with "complete": false, and the message counts what the aggregate holds (tmpfs of 256 KiB)', async () => {
    hub = await startFakeHub({ synthetic: 500, maxPageSize: 10 });
    const dir = tempDir('hfds-full-');
    mountTmpfs(dir, '256k');
    try {
      const out = join(dir, 'out');
      const r = await runCli(['collect', '--all', '--out', out, '--endpoint', hub.url], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no space left/i);
      const names = readdirSync(out);
      const aggregate = join(out, names.find((n) => n.startsWith('all_datasets_metadata_'))!);
      const links = join(out, names.find((n) => n.startsWith('dataset_links_summary_'))!);
      const doc = readJson<{ datasets: Array<{ id: string }>; summary: { complete: boolean; total_datasets: number } }>(aggregate);
      expect(doc.summary.complete).toBe(false);
      expect(doc.summary.total_datasets).toBe(doc.datasets.length);
      expect(r.stderr).toContain(`${doc.datasets.length} datasets kept in ${aggregate}`);
      const linksDoc = JSON.parse(readFileSync(links, 'utf8')) as { summary: { complete: boolean } };
      expect(linksDoc.summary.complete).toBe(false);
    } finally {
      unmount(dir);
    }
  });
});

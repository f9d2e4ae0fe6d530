/**
 * Benchmark 1 (and 4): listing-mode `collect --all` with every output (aggregate, links,
 * individual files, NDJSON on stdout) against a fake Hub of N datasets with no added latency:
 * time, records/s, requests, peak RSS of the CLI, output bytes. With `profile`, the same run
 * under --cpu-prof, and its hot spots.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTop, topFunctions } from './cpuprofile-top.js';
import { runCli, type CliRun } from './cli-run.js';
import { startFakeProcess } from './fake-process.js';
import { assertOk } from './measure.js';
import type { Row } from './report.js';
import { dirSize, fmtBytes, mib, OUT_DIR, removeDir, tempDir } from './util.js';

export function cliNote(r: CliRun, n: number): string {
  const parts: string[] = [];
  if (r.collected !== n) parts.push(`collected ${r.collected ?? '?'} of ${n}!`);
  if (r.failed) parts.push(`${r.failed} failed`);
  if (r.cliRequests !== null) parts.push(`CLI counted ${r.cliRequests} requests`);
  return parts.join('; ');
}

/** Which outputs a listing run writes: all of them, all but the individual files, or NDJSON only. */
export type Outputs = 'all' | 'no-individual' | 'ndjson';

const OUTPUT_ARGS: Record<Outputs, (out: string) => string[]> = {
  all: (out) => ['--out', out, '--ndjson'],
  'no-individual': (out) => ['--out', out, '--no-individual', '--ndjson'],
  ndjson: () => ['--ndjson'],
};

export async function benchListing(n: number, id: string, profileDir?: string, outputs: Outputs = 'all'): Promise<{ row: Row; hotSpots?: string }> {
  const fake = await startFakeProcess({ synthetic: n });
  const dir = tempDir(id);
  try {
    const before = await fake.counters();
    await fake.reset();
    const out = join(dir, 'out');
    const r = await runCli(['collect', '--all', ...OUTPUT_ARGS[outputs](out), '--endpoint', fake.url], {
      cwd: dir,
      stdoutFile: join(dir, 'records.ndjson'),
      nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    });
    assertOk(id, r);
    const c = await fake.counters();
    const files = outputs === 'ndjson' ? { bytes: 0, files: 0 } : await dirSize(out);
    const row: Row = {
      id,
      what: `collect --all ${OUTPUT_ARGS[outputs]('DIR').join(' ')}${profileDir ? ' under --cpu-prof' : ''}`,
      n,
      seconds: r.seconds,
      requests: c.total,
      list: c.list,
      detail: c.detail,
      rssKb: r.maxRssKb ?? r.polledHwmKb,
      cpuS: r.userMs === null ? null : (r.userMs + (r.sysMs ?? 0)) / 1000,
      fakeCpuS: (c.cpuMs - before.cpuMs) / 1000,
      outBytes: files.bytes + r.stdoutBytes,
      note: [cliNote(r, n), `${files.files} files + NDJSON ${fmtBytes(r.stdoutBytes)}`, `user ${((r.userMs ?? 0) / 1000).toFixed(1)} s / sys ${((r.sysMs ?? 0) / 1000).toFixed(1)} s`, `polled VmHWM ${mib(r.polledHwmKb)} MiB`]
        .filter(Boolean)
        .join('; '),
    };
    if (!profileDir) return { row };
    const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    const file = join(profileDir, profiles.sort().at(-1)!);
    return { row, hotSpots: `profile: ${file}\n${formatTop(topFunctions(file, 15))}` };
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}

export function newProfileDir(): string {
  const d = join(OUT_DIR, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  return d;
}

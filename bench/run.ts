/**
 * `npm run bench [-- NAME… ] [-- --scale X]`: the performance figures (bench/RESULTS.md), printed as a
 * table (figures, not assertions; the targets are reported as met / not met). Every benchmark
 * starts its own fake Hub in a child process on 127.0.0.1 and measures the client in another
 * child process; this driver only orchestrates. Names: listing, outputs (listing with fewer outputs), baseline-list,
 * baseline-catalog, enrich, viewer, profile, sync, sync-200k, serve (default: all). Results also go to bench/out/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBaselineCatalog, benchBaselineList } from './bench-baselines.js';
import { benchEnrich } from './bench-enrich.js';
import { benchViewer } from './bench-viewer.js';
import { benchServe } from './bench-serve.js';
import { benchSync200k, benchSyncVsCollect } from './bench-sync.js';
import { benchListing, newProfileDir } from './bench-listing.js';
import { markdown, targets, textTable, type Row } from './report.js';
import { cleanUp, OUT_DIR, WORK_BASE } from './util.js';

/** Row ids keep the full-scale names (listing-200k, …) whatever --scale is; the N column says what ran. */
const NAMES = ['listing', 'outputs', 'baseline-list', 'baseline-catalog', 'enrich', 'viewer', 'profile', 'sync', 'sync-200k', 'serve'] as const;
type Name = (typeof NAMES)[number];

function parse(argv: string[]): { names: Name[]; scale: number } {
  let scale = 1;
  const names: Name[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--scale') scale = Number(argv[++i]);
    else if ((NAMES as readonly string[]).includes(a)) names.push(a as Name);
    else {
      process.stderr.write(`unknown benchmark ${JSON.stringify(a)}; use ${NAMES.join(', ')} [--scale X]\n`);
      process.exit(2);
    }
  }
  if (!(scale > 0)) {
    process.stderr.write('--scale must be a positive number\n');
    process.exit(2);
  }
  return { names: names.length ? names : [...NAMES], scale };
}

const { names, scale } = parse(process.argv.slice(2));
const N = (n: number): number => Math.max(1000, Math.round(n * scale));
const started = Date.now();
const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}; outputs in ${WORK_BASE.dir} (${WORK_BASE.why})`;
process.stderr.write(`bench: ${names.join(', ')}${scale !== 1 ? ` (scale ${scale})` : ''} on ${machine}\n`);

const rows: Row[] = [];
const hot: string[] = [];
/** tables a benchmark reports beside its rows (serve: one line per page kind and API shape) */
const details: string[] = [];
const failures: string[] = [];
const step = async (label: string, fn: () => Promise<Row[]>): Promise<void> => {
  const t = Date.now();
  process.stderr.write(`bench: ${label} …\n`);
  let got: Row[];
  try {
    got = await fn();
  } catch (err) {
    // one broken benchmark should not cost the figures of the others
    failures.push(`${label}: ${(err as Error).message}`);
    process.stderr.write(`bench: ${label} FAILED: ${(err as Error).message}\n`);
    return;
  }
  rows.push(...got);
  for (const r of got) process.stderr.write(`bench:   ${r.id}: ${r.seconds.toFixed(2)} s, ${r.requests ?? '?'} requests${r.rssKb ? `, peak RSS ${(r.rssKb / 1024).toFixed(1)} MiB` : ''}\n`);
  process.stderr.write(`bench: ${label} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
};

for (const name of names) {
  if (name === 'listing') {
    await step(`listing ${N(50_000)}`, async () => [(await benchListing(N(50_000), 'listing-50k')).row]);
    await step(`listing ${N(200_000)}`, async () => [(await benchListing(N(200_000), 'listing-200k')).row]);
  } else if (name === 'outputs') {
    for (const outputs of ['no-individual', 'ndjson'] as const) {
      await step(`listing ${N(50_000)} (${outputs})`, async () => [(await benchListing(N(50_000), `listing-50k-${outputs}`, undefined, outputs)).row]);
      await step(`listing ${N(200_000)} (${outputs})`, async () => [(await benchListing(N(200_000), `listing-200k-${outputs}`, undefined, outputs)).row]);
    }
  } else if (name === 'baseline-list') {
    await step(`baseline listing ${N(20_000)} at 300 ms`, () => benchBaselineList(N(20_000)));
  } else if (name === 'baseline-catalog') {
    await step(`baseline catalog ${N(2_000)} at 300 ms`, () => benchBaselineCatalog(N(2_000)));
  } else if (name === 'enrich') {
    await step(`file sizes / enrich ${N(1_000)} at 50 ms`, () => benchEnrich(N(1_000)));
  } else if (name === 'viewer') {
    await step(`viewer statistics ${N(2_000)} at 50 ms`, () => benchViewer(N(2_000)));
  } else if (name === 'sync') {
    await step(`sync vs collect ${N(20_000)} at 400 ms`, () => benchSyncVsCollect(N(20_000)));
  } else if (name === 'sync-200k') {
    await step(`sync ${N(200_000)}, then again after 1% changed`, () => benchSync200k(N(200_000)));
  } else if (name === 'serve') {
    await step(`serve over a ${N(200_000)}-dataset catalog: p50/p95 per page kind and API shape`, async () => {
      const r = await benchServe(N(200_000));
      details.push(r.markdown);
      return r.rows;
    });
  } else if (name === 'profile') {
    await step(`CPU profile of listing ${N(200_000)}`, async () => {
      const dir = newProfileDir();
      mkdirSync(dir, { recursive: true });
      const r = await benchListing(N(200_000), 'profile-200k', dir);
      hot.push(r.hotSpots ?? '');
      return [r.row];
    });
  }
}

await cleanUp();
const t = targets(rows);
const total = (Date.now() - started) / 1000;
const stamp = new Date().toISOString();
process.stdout.write(`\n${stamp}  ${machine}\n\n${textTable(rows, t)}\n`);
for (const h of hot) process.stdout.write(`\nCPU hot spots (self time):\n${h}\n`);
for (const d of details) process.stdout.write(`\n${d}\n`);
for (const f of failures) process.stdout.write(`\nFAILED ${f}\n`);
process.stdout.write(`\nbench finished in ${total.toFixed(0)} s\n`);
mkdirSync(OUT_DIR, { recursive: true });
const base = join(OUT_DIR, `results-${stamp.replace(/[:.]/g, '-')}`);
writeFileSync(`${base}.json`, JSON.stringify({ date: stamp, machine, scale, names, seconds: total, rows, targets: t, hotSpots: hot, failures }, null, 2) + '\n');
writeFileSync(`${base}.md`, `${stamp} — ${machine}\n\n${markdown(rows, t)}\n${hot.map((h) => `\n\`\`\`\n${h}\n\`\`\`\n`).join('')}${details.map((d) => `\n${d}\n`).join('')}`);
process.stdout.write(`results: ${base}.json, ${base}.md\n`);
process.exitCode = failures.length > 0 ? 1 : 0;

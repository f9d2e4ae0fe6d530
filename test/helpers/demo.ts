/**
 * `npm run demo`: the tool end to end in a few seconds, with no network and no token.
 *
 * Starts the fake Hub on 127.0.0.1 with the fixture corpus (fixtures/datasets.json), then runs the
 * real CLI (`node bin/hf-datasets.js`) against it: `collect --limit 20 --out …`, `collect --limit 5
 * --ndjson`, `search squad --out …`, and shows what came out. The files stay in a temporary
 * folder (printed at the end) so you can look at them. Only node: built-ins and the test helpers.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN, cliEnv, tempDir } from './cli.js';
import { loadFixtureCorpus } from './corpus.js';
import { startFakeHub } from './fake-hub.js';

interface Run {
  code: number | null;
  stdout: string;
}

const out = (text = ''): void => void process.stdout.write(`${text}\n`);

function heading(n: number, title: string): void {
  out();
  out(`=== ${n}. ${title} ===`);
}

/** Runs the CLI; its stderr (logs, progress) goes straight to ours, its stdout is returned. */
function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  out(`$ hf-datasets ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

function check(run: Run, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}`);
}

function newest(dir: string, prefix: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`no ${prefix}*.json in ${dir}`);
  return join(dir, names[names.length - 1]!);
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function cell(v: unknown, width: number): string {
  const s = Array.isArray(v) ? v.join(',') || '-' : v === null || v === undefined ? '-' : String(v);
  return (s.length > width ? s.slice(0, width - 1) + '…' : s).padEnd(width);
}

type Rec = {
  id: string;
  links: { github: string[]; papers: unknown[]; download_links: string[] };
  info: { license: string[] };
  statistics: { downloads: number | null; likes: number | null; file_count: number };
};

async function main(): Promise<void> {
  const work = tempDir('hf-datasets-demo-');
  const catalog = join(work, 'catalog');

  heading(1, 'A fake Hugging Face Hub on 127.0.0.1 (no network needed)');
  const corpus = loadFixtureCorpus();
  const hub = await startFakeHub({ datasets: corpus });
  // A proxy in the environment must not see requests to the fake Hub.
  const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY ?? process.env.no_proxy].filter(Boolean).join(',');
  // HF_HOME inside the demo's folder, so the demo leaves one folder behind and nothing else
  // everything the demo makes stays in its one folder (the snapshot folder too, were serve or query run)
  const env = cliEnv({ HF_HOME: join(work, '.hf-home'), HF_DATASETS_SNAPSHOT_DIR: join(work, '.snapshots'), HF_ENDPOINT: hub.url, NO_PROXY: noProxy, no_proxy: noProxy });
  out(`serving ${corpus.length} datasets from fixtures/datasets.json at ${hub.url}`);
  out(`the CLI reaches it through HF_ENDPOINT=${hub.url} (no token; HF_HOME is a temporary folder)`);

  try {
    heading(2, 'Collect the 20 most downloaded datasets into files');
    check(await runCli(['collect', '--limit', '20', '--out', catalog], env, work), 'collect');
    out();
    out(`Files written in ${catalog}:`);
    for (const name of readdirSync(catalog).sort()) {
      if (name.startsWith('.')) continue; // the resume state (.hf-datasets-state.json and its helpers)
      const path = join(catalog, name);
      const st = statSync(path);
      out(st.isDirectory() ? `  ${name}/  (${readdirSync(path).length} files, one per dataset)` : `  ${name}  (${kb(st.size)})`);
    }
    out('  (plus the hidden resume state, .hf-datasets-state.json: an interrupted run continues with --resume)');
    const aggregate = JSON.parse(readFileSync(newest(catalog, 'all_datasets_metadata_'), 'utf8')) as { datasets: Rec[]; summary: unknown };
    out();
    out('A few fields of the first 8 records:');
    out(`  ${cell('id', 34)} ${cell('downloads', 10)} ${cell('likes', 6)} ${cell('license', 14)} ${cell('files', 6)} ${cell('papers', 6)} github`);
    for (const r of aggregate.datasets.slice(0, 8)) {
      out(`  ${cell(r.id, 34)} ${cell(r.statistics.downloads, 10)} ${cell(r.statistics.likes, 6)} ${cell(r.info.license, 14)} ${cell(r.statistics.file_count, 6)} ${cell(r.links.papers.length, 6)} ${r.links.github[0] ?? '-'}`);
    }
    out(`summary: ${JSON.stringify(aggregate.summary)}`);

    heading(3, 'Stream 5 records as NDJSON on stdout (no files without --out)');
    const nd = await runCli(['collect', '--limit', '5', '--ndjson'], env, work);
    check(nd, 'collect --ndjson');
    const lines = nd.stdout.split('\n').filter((l) => l.trim() !== '');
    out(`${lines.length} lines on stdout, one record each (${kb(Buffer.byteLength(nd.stdout))}); id, likes and license of each:`);
    for (const line of lines) {
      const r = JSON.parse(line) as Rec;
      out(`  ${JSON.stringify({ id: r.id, likes: r.statistics.likes, license: r.info.license })}`);
    }

    heading(4, 'Search: datasets whose id contains "squad"');
    check(await runCli(['search', 'squad', '--out', catalog], env, work), 'search');
    const searchFile = newest(catalog, 'search_squad_');
    const found = JSON.parse(readFileSync(searchFile, 'utf8')) as { datasets: Rec[] };
    out();
    out(`${relative(work, searchFile)}: ${found.datasets.length} datasets`);
    for (const r of found.datasets) out(`  ${r.id}  (${r.links.download_links.length} download links)`);

    heading(5, 'Done');
    out(`All files are in ${catalog}`);
    out('Against the real Hub, drop HF_ENDPOINT: node bin/hf-datasets.js collect --limit 100 (or run it with no arguments for the menu).');
  } finally {
    await hub.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

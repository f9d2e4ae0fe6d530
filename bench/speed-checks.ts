/**
 * `npm run bench:speed`: the speed limits that used to sit inside correctness tests, measured
 * here instead (a loaded machine must not fail a test about behaviour). Prints each figure
 * against its limit and exits 1 when one is over.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { buildRecord } from '../src/record/build.js';
import { LinkCollector } from '../src/record/links.js';
import { startFakeHub } from '../test/helpers/fake-hub.js';
import { ROOT } from './util.js';

interface Check {
  name: string;
  limitMs: number;
  run: () => Promise<number> | number;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const checks: Check[] = [
  {
    name: 'buildRecord, 1 MB description with control characters',
    limitMs: 1000,
    run: () => timed(() => buildRecord({ id: 'a/b', description: '\u0000\u2028 ' + 'x'.repeat(1 << 20) + ' https://github.com/big/desc' }, { endpoint: 'https://huggingface.co', collectedAt: '2024-01-01T00:00:00Z' })),
  },
  {
    name: 'LinkCollector.scanCard, cycles and fan-out',
    limitMs: 2000,
    run: () => {
      const a: Record<string, unknown> = { url: 'https://github.com/cyc/le' };
      a.self = a;
      a.list = [a, a, a];
      return timed(() => new LinkCollector().scanCard(a));
    },
  },
  {
    name: 'LinkCollector.scanText, pathological texts (linear, no backtracking)',
    limitMs: 3000,
    run: () => {
      const texts = ['https://github.com/'.repeat(60_000), 'github.com/a'.repeat(80_000), 'https://arxiv.org/abs/1234.'.repeat(40_000),
        'arxiv.org/abs/a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a'.repeat(10_000), 'a'.repeat(1 << 20)];
      return timed(() => {
        for (const t of texts) new LinkCollector().scanText(t);
      });
    },
  },
  {
    name: 'fake Hub, CPU per 1000-item page (server and client in one process)',
    limitMs: 200,
    run: async () => {
      const hub = await startFakeHub({ synthetic: 200_000 });
      try {
        const q = ['author', 'cardData', 'siblings', 'tags', 'description', 'downloads', 'likes', 'createdAt', 'lastModified', 'citation'].map((e) => `expand[]=${e}`).join('&');
        let url: string | null = `${hub.url}/api/datasets?limit=1000&sort=downloads&${q}`;
        const cpu0 = process.cpuUsage();
        let pages = 0;
        while (url && pages < 10) {
          const r = await request(url);
          await r.body.dump();
          const m = /<([^>]+)>;\s*rel="next"/.exec(String(r.headers.link ?? ''));
          url = m ? m[1]! : null;
          pages++;
        }
        const cpu = process.cpuUsage(cpu0);
        return (cpu.user + cpu.system) / 1000 / pages;
      } finally {
        await hub.close();
      }
    },
  },
  {
    name: 'npm run demo, wall time',
    limitMs: 20_000,
    run: () => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'test', 'helpers', 'demo.js')], { encoding: 'utf8', env: { ...process.env, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' } });
      const ms = performance.now() - t0;
      const dir = /All files are in (.+)/.exec(r.stdout)?.[1];
      if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`the demo failed: ${r.stderr}`);
      return ms;
    },
  },
];

let over = 0;
for (const check of checks) {
  const ms = await check.run();
  const ok = ms <= check.limitMs;
  if (!ok) over += 1;
  process.stdout.write(`${ok ? 'ok  ' : 'OVER'} ${ms.toFixed(1).padStart(9)} ms  (limit ${check.limitMs} ms)  ${check.name}\n`);
}
process.exitCode = over > 0 ? 1 : 0;

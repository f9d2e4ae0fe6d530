/**
 * The figures of a bench run: one row per measured process, the targets checked
 * against them (reported, never asserted), and the text/markdown renderings.
 */
import { fmtBytes, mib } from './util.js';

export interface Row {
  /** stable key, e.g. `listing-200k` */
  id: string;
  /** what ran */
  what: string;
  /** datasets */
  n: number;
  seconds: number;
  /** requests seen by the fake Hub (all kinds) */
  requests: number | null;
  list: number | null;
  detail: number | null;
  /** peak RSS of the measured process, KiB */
  rssKb: number | null;
  /** CPU (user + sys) of the measured process, s */
  cpuS: number | null;
  /** CPU of the fake Hub process during the run, s */
  fakeCpuS: number | null;
  outBytes: number | null;
  /** request phase seen by the fake Hub: first request's arrival to the last one's + latency, s */
  phaseS?: number;
  note?: string;
}

export interface Target {
  name: string;
  value: string;
  goal: string;
  met: boolean | null;
}

const get = (rows: Row[], id: string): Row | undefined => rows.find((r) => r.id === id);

export function targets(rows: Row[]): Target[] {
  const out: Target[] = [];
  const l50 = get(rows, 'listing-50k');
  const l200 = get(rows, 'listing-200k');
  if (l200?.rssKb != null) out.push({ name: 'peak RSS at 200k', value: `${mib(l200.rssKb)} MiB`, goal: '< 150 MB (143.1 MiB)', met: l200.rssKb * 1024 < 150e6 });
  if (l200?.rssKb != null && l50?.rssKb != null) {
    const d = (l200.rssKb - l50.rssKb) * 1024;
    out.push({ name: 'RSS 200k − 50k', value: `${(d / 2 ** 20).toFixed(1)} MiB`, goal: '≤ 25 MB (23.8 MiB)', met: d <= 25e6 });
  }
  const hf = get(rows, 'hfjs-list-20k');
  const ours = get(rows, 'ours-list-20k');
  const lim = get(rows, 'link-limit-20k');
  if (hf && ours) out.push({ name: 'listing vs listDatasets', value: `${(hf.seconds / ours.seconds).toFixed(2)}× faster`, goal: '≥ 1.5×', met: hf.seconds / ours.seconds >= 1.5 });
  if (lim && ours) out.push({ name: 'listing vs link-following limit', value: `${((ours.seconds / lim.seconds - 1) * 100).toFixed(1)}% slower`, goal: '≤ 10%', met: ours.seconds <= lim.seconds * 1.1 });
  const hc = get(rows, 'hfjs-catalog-2k');
  const oc = get(rows, 'ours-catalog-2k');
  // hf.js lists with siblings too (its best way to a catalog with files): the two spend requests
  // by page size (1,000 against its 500). Time is not a target here: `collect` writes every output
  // (aggregate, links, one file a dataset), the hf.js script one JSON file.
  if (hc?.requests && oc?.requests) {
    out.push({ name: 'catalog with files: requests', value: `${oc.requests} against hf.js ${hc.requests}`, goal: '≤ half of hf.js (1,000 a page against 500)', met: oc.requests * 2 <= hc.requests });
  }
  for (const r of rows) {
    if (!r.id.startsWith('listing-') && r.id !== 'ours-list-20k' && r.id !== 'ours-catalog-2k') continue;
    if (r.requests === null) continue;
    const max = Math.ceil(r.n / 1000) + 2;
    out.push({ name: `requests, ${r.id}`, value: String(r.requests), goal: `≤ ⌈N/1000⌉+2 = ${max}`, met: r.requests <= max });
  }
  const dl = get(rows, 'detail-limit-1k');
  for (const id of ['detail-limit-1k', 'file-sizes-1k', 'enrich-1k']) {
    const r = get(rows, id);
    if (!r) continue;
    const ideal = (r.n * 0.05) / 8;
    const vsLimit = dl && id !== dl.id ? `; ${((100 * dl.seconds) / r.seconds).toFixed(1)}% of the bare client's speed` : '';
    const goal = id === 'detail-limit-1k' ? '(reference: the fake Hub\'s own limit)' : '≥ 90%';
    const phase = r.phaseS ? `; request phase ${((100 * ideal) / r.phaseS).toFixed(1)}%` : '';
    out.push({ name: `${id}: share of ideal ${ideal.toFixed(2)} s (wall)`, value: `${((100 * ideal) / r.seconds).toFixed(1)}%${phase}${vsLimit}`, goal, met: id === 'detail-limit-1k' ? null : ideal / r.seconds >= 0.9 });
  }
  const vl = rows.find((r) => r.id.startsWith('viewer-limit-'));
  const vs = rows.find((r) => r.id.startsWith('viewer-stats-'));
  if (vs) {
    const ideal = (vs.n * 0.05) / 8;
    const vsLimit = vl ? `; ${((100 * vl.seconds) / vs.seconds).toFixed(1)}% of the bare client's speed` : '';
    out.push({ name: `${vs.id}: share of ideal ${ideal.toFixed(2)} s (wall)`, value: `${((100 * ideal) / vs.seconds).toFixed(1)}%${vsLimit}`, goal: '≥ 90% of the bare client', met: vl ? vl.seconds / vs.seconds >= 0.9 : null });
  }
  const sl = rows.find((r) => r.id.startsWith('slow-list-') && !r.id.startsWith('slow-list-viewer-'));
  const slv = rows.find((r) => r.id.startsWith('slow-list-viewer-'));
  if (sl && slv && sl.phaseS && slv.phaseS) {
    out.push({ name: 'listing request phase with viewer requests running', value: `${slv.phaseS.toFixed(2)} s vs ${sl.phaseS.toFixed(2)} s alone (${((slv.phaseS / sl.phaseS - 1) * 100).toFixed(1)}%)`, goal: '≤ 5% slower', met: slv.phaseS <= sl.phaseS * 1.05 });
  }
  return out;
}

const cell = (v: number | null, f: (x: number) => string = String): string => (v === null ? '–' : f(v));

function rowCells(r: Row): string[] {
  return [
    r.id,
    r.what,
    String(r.n),
    r.seconds.toFixed(2),
    (r.n / r.seconds).toFixed(0),
    cell(r.requests),
    cell(r.list),
    cell(r.detail),
    cell(r.rssKb, (x) => mib(x)),
    cell(r.cpuS, (x) => x.toFixed(1)),
    cell(r.fakeCpuS, (x) => x.toFixed(1)),
    cell(r.outBytes, fmtBytes),
    r.note ?? '',
  ];
}

const HEAD = ['id', 'what', 'N', 'time s', 'rec/s', 'requests', 'list', 'detail', 'peak RSS MiB', 'CPU s', 'fake CPU s', 'output', 'note'];

export function markdown(rows: Row[], t: Target[]): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${rowCells(r).join(' | ')} |`);
  lines.push('', '| target | value | goal | met |', '|---|---|---|---|');
  for (const x of t) lines.push(`| ${x.name} | ${x.value} | ${x.goal} | ${x.met === null ? '?' : x.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

export function textTable(rows: Row[], t: Target[]): string {
  const all = [HEAD, ...rows.map(rowCells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('', 'targets:');
  for (const x of t) lines.push(`  [${x.met === null ? '?' : x.met ? 'met' : 'NOT MET'}] ${x.name}: ${x.value} (goal ${x.goal})`);
  return lines.join('\n');
}

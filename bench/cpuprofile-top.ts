/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists the functions with the most self
 * time, plus self time by script. Usage: node dist/bench/cpuprofile-top.js FILE [N]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ROOT } from './util.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

const rootUrl = pathToFileURL(ROOT).href;

function shortUrl(url: string): string {
  if (url === '') return '';
  if (url.startsWith(rootUrl)) return url.slice(rootUrl.length);
  return url.replace(/^file:\/\//, '');
}

/** Self time by function (name + script + line) and by script, in ms, biggest first. */
export function topFunctions(file: string, n = 15): { total: number; functions: HotSpot[]; scripts: HotSpot[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, HotSpot>();
  const script = new Map<string, HotSpot>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const ms = us / 1000;
    total += ms;
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const name = cf.functionName || (cf.url ? '(anonymous)' : '');
    const key = `${name}\u0000${where}`;
    const f = fn.get(key) ?? { name: name || '(native)', where, selfMs: 0, percent: 0 };
    f.selfMs += ms;
    fn.set(key, f);
    const s = cf.url ? shortUrl(cf.url) : name;
    const g = script.get(s) ?? { name: s, where: '', selfMs: 0, percent: 0 };
    g.selfMs += ms;
    script.set(s, g);
  }
  const finish = (m: Map<string, HotSpot>): HotSpot[] =>
    [...m.values()]
      .map((h) => ({ ...h, percent: total > 0 ? (100 * h.selfMs) / total : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, n);
  return { total, functions: finish(fn), scripts: finish(script) };
}

/** A printable table of the hot spots. */
export function formatTop(r: { total: number; functions: HotSpot[]; scripts: HotSpot[] }): string {
  const lines = [`total sampled: ${(r.total / 1000).toFixed(2)} s`, '', 'self ms    self %  function  (script:line)'];
  for (const h of r.functions) lines.push(`${h.selfMs.toFixed(0).padStart(8)}  ${h.percent.toFixed(1).padStart(6)}%  ${h.name}  ${h.where}`);
  lines.push('', 'self ms    self %  script');
  for (const h of r.scripts.slice(0, 10)) lines.push(`${h.selfMs.toFixed(0).padStart(8)}  ${h.percent.toFixed(1).padStart(6)}%  ${h.name}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpuprofile-top FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  process.stdout.write(formatTop(topFunctions(file, Number(process.argv[3] ?? 15))) + '\n');
}

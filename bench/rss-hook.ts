/**
 * Preloaded into a measured process (`node --import <this file> …`): when the process exits, it
 * writes its own peak RSS and CPU times as JSON to $BENCH_USAGE_FILE. It does nothing else, so
 * the measured program runs unchanged.
 *
 * Peak RSS is VmHWM from /proc/self/status: on Linux `resourceUsage().maxRSS` also counts the
 * parent's memory at fork time (the kernel carries ru_maxrss across exec), so a child of a
 * 300 MB process reports ≥ 300 MB however little it uses. Elsewhere maxRSS is the fallback.
 */
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  delete process.env.BENCH_USAGE_FILE;
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: peakRssKb(), userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000 }));
  });
}

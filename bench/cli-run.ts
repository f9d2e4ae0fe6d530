/**
 * Runs the real CLI (`node bin/hf-datasets.js …`) as a measured child process with a clean
 * environment (temporary HF_HOME, no implicit token), stdout to a file.
 */
import { cliRequests, measure, type Measured } from './measure.js';
import { BIN, cliEnv } from './util.js';

export interface CliRun extends Measured {
  /** `N requests` from the CLI's summary line */
  cliRequests: number | null;
  /** datasets written and failed, from the summary line */
  collected: number | null;
  failed: number | null;
}

export async function runCli(
  args: string[],
  o: { cwd: string; stdoutFile?: string | null; stdinFile?: string; nodeFlags?: string[]; timeoutMs?: number },
): Promise<CliRun> {
  const m = await measure({
    args: [BIN, ...args],
    nodeFlags: o.nodeFlags,
    env: cliEnv(),
    cwd: o.cwd,
    stdoutFile: o.stdoutFile ?? null,
    stdinFile: o.stdinFile,
    timeoutMs: o.timeoutMs ?? 300_000,
  });
  const done = /(?:collected|stopped after|enriched) (\d+) datasets, (\d+) failed/.exec(m.stderr);
  return { ...m, cliRequests: cliRequests(m.stderr), collected: done ? Number(done[1]) : null, failed: done ? Number(done[2]) : null };
}

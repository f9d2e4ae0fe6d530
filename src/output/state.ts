/**
 * The resume state of the run in an output folder: `DIR/.hf-datasets-state.json`.
 * It holds the run's timestamp and files, its query options (never the token), where the next
 * page starts (a path relative to the endpoint, so a resumed run may use another endpoint), and
 * the byte offsets up to which each file is durable. It is replaced atomically (write a temporary
 * file, fsync, rename, fsync the folder) only after the data it points to is durable.
 *
 * Layout version 1 (unchanged since the first release): the file names are names inside the
 * folder. The first release cut them from the full path by the length of `--out` as typed, so
 * a folder given as `./dir` or `dir/` stored names missing their first characters; such a state
 * is still read: a name that does not exist is found again from the run's timestamp.
 */
import { access, open, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EtlError } from '../errors.js';
import type { QueryOptions } from '../types.js';
import { IdSet } from '../util/id-set.js';

export const STATE_FILE = '.hf-datasets-state.json';
/** The ids journal of the run with this timestamp (the ids written so far, one JSON string a line). */
export function idsFileName(timestamp: string): string {
  return `.hf-datasets-ids-${timestamp}`;
}
let tmpCounter = 0;
const STATE_VERSION = 1;

export interface RunState {
  version: number;
  timestamp: string;
  started_at: string;
  aggregate_file: string;
  links_file: string;
  ids_file: string;
  query: QueryOptions;
  /** path + query of the next page to fetch (its records may be partly written), null when the listing ended */
  next_page: string | null;
  offsets: { aggregate: number; links: number; ids: number };
  counts: { total: number; failed: number; requests: number };
  individual: boolean;
  complete: boolean;
  updated_at: string;
}

/** The ids the run of `state` wrote up to its last checkpoint (its journal), to seed `dedupe` when resuming. */
export async function readIdsJournal(outDir: string, state: RunState): Promise<IdSet> {
  const seen = new IdSet(4096);
  const text = (await readFile(join(outDir, state.ids_file))).subarray(0, state.offsets.ids).toString('utf8');
  for (const line of text.split('\n')) if (line) seen.add(JSON.parse(line) as string);
  return seen;
}

export function statePath(outDir: string): string {
  return join(outDir, STATE_FILE);
}

/** Reads the folder's state; null when there is none. Throws EtlError when it is unreadable. */
export async function readState(outDir: string): Promise<RunState | null> {
  let text: string;
  try {
    text = await readFile(statePath(outDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') throw outputFolderError(outDir, err);
    throw new EtlError(`cannot read ${statePath(outDir)}: ${(err as Error).message}`, 'ETL_STATE', { cause: err });
  }
  let state: RunState;
  try {
    state = JSON.parse(text) as RunState;
    if (state.version !== STATE_VERSION || typeof state.timestamp !== 'string' || typeof state.ids_file !== 'string' || !state.offsets || !state.query) {
      throw new Error('unknown layout');
    }
  } catch (err) {
    throw new EtlError(`the resume state ${statePath(outDir)} is damaged (${(err as Error).message}); start a new run without --resume`, 'ETL_STATE', { cause: err });
  }
  return await repairNames(outDir, state);
}

/** The run's file names as they are in the folder (see the layout note at the top). */
async function repairNames(outDir: string, state: RunState): Promise<RunState> {
  const ts = state.timestamp;
  const fixed = { ...state };
  const has = (name: string): Promise<boolean> => access(join(outDir, name)).then(() => true, () => false);
  const wanted: Array<[keyof Pick<RunState, 'aggregate_file' | 'links_file' | 'ids_file'>, (name: string) => boolean]> = [
    ['aggregate_file', (n) => n.endsWith(`_${ts}.json`) && (n.startsWith('all_datasets_metadata_') || n.startsWith('search_'))],
    ['links_file', (n) => n === `dataset_links_summary_${ts}.json`],
    ['ids_file', (n) => n === idsFileName(ts)],
  ];
  let names: string[] | null = null;
  for (const [key, fits] of wanted) {
    const stored = basename(state[key]);
    if (await has(stored)) {
      fixed[key] = stored;
      continue;
    }
    names ??= await readdir(outDir).catch(() => []);
    const found = names.find((n) => n.endsWith(stored) && fits(n));
    if (found !== undefined) fixed[key] = found;
  }
  return fixed;
}

const FOLDER_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'a read-only file system',
  ENOTDIR: 'a file is in the way (the path or one of its parents is a file, not a folder)',
  EEXIST: 'a file of that name is in the way',
  ENOSPC: 'no space left on the device',
  ENOENT: 'the file system does not allow a folder there',
};

/** The error for a folder that cannot be read or created: which folder, and why. */
export function outputFolderError(outDir: string, err: unknown): EtlError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why = FOLDER_REASONS[code] ?? (err as Error).message;
  return new EtlError(`cannot use ${outDir} as the output folder: ${why}${code ? ` (${code})` : ''}`, 'ETL_OUTPUT', { cause: err });
}

/** Replaces the state atomically and durably. */
export async function writeState(outDir: string, state: Omit<RunState, 'version' | 'updated_at'>): Promise<void> {
  const path = statePath(outDir);
  // a name of its own, so two runs sharing a folder never rename each other's temporary file
  tmpCounter += 1;
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter}`;
  const full: RunState = { version: STATE_VERSION, ...state, updated_at: new Date().toISOString() };
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(full, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // not supported on every platform; the rename is still atomic
  }
}

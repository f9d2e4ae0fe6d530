/**
 * The interactive menu through a real pseudo-terminal (test/helpers/pty_driver.py): what a person
 * types, what the screen shows, the files written in the working folder, the exit code.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BIN, cliEnv, outputFiles, readJson, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { ptyAvailable, spawnPty, type PtySession } from './helpers/pty.js';

const PROMPT = 'Choose 1-4: ';
const TOKEN = 'hf_menuTestToken123';
// a proxy in the environment must not see requests to the fake Hub
const NO_PROXY = { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };

let hub: FakeHub;
let slowHub: FakeHub;

beforeAll(async () => {
  hub = await startFakeHub({ synthetic: 300, token: TOKEN });
  // 50 a page, 300 ms a page: 1000 datasets take ~6 s, time enough to press Ctrl-C
  slowHub = await startFakeHub({ synthetic: 5000, maxPageSize: 50, latencyMs: 300 });
});

afterAll(async () => {
  await hub?.close();
  await slowHub?.close();
});

function menu(cwd: string, env: Record<string, string | undefined> = {}): PtySession {
  return spawnPty([process.execPath, BIN], { cwd, env: cliEnv({ HF_ENDPOINT: hub.url, ...NO_PROXY, ...env }) });
}

/** Waits (bounded) for the exit code. */
async function exitCode(s: PtySession, timeoutMs = 30_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.kill();
      reject(new Error(`the menu did not exit within ${timeoutMs} ms; screen:\n${s.text()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Each test has its own terminal and folder, so they run side by side.
describe.skipIf(!ptyAvailable()).concurrent('interactive menu on a terminal', () => {
  it('1 collects the first 100 datasets into ./hf_datasets_output, shows the summary and the menu again; 4 exits 0', async ({ expect }) => {
    const cwd = tempDir('menu-');
    const s = menu(cwd, { HF_TOKEN: TOKEN });
    await s.waitFor(`Hub: ${hub.url} (HF_ENDPOINT), with your token`);
    // the Hub's search matches dataset ids, not topics
    await s.waitFor('3) Search dataset ids for a word (up to 100 matches)');
    await s.waitFor(PROMPT);
    s.send('1\r');
    await s.waitFor(/Done: collected 100 datasets, 0 failed/);
    await s.waitFor(`Files in ${join(cwd, 'hf_datasets_output')}:`);
    await s.waitFor(/all_datasets_metadata_\d{8}_\d{6}\.json/);
    await s.waitFor('4) Exit');
    await s.waitFor(PROMPT);
    s.send('4\r');
    expect(await exitCode(s)).toBe(0);

    const files = outputFiles(join(cwd, 'hf_datasets_output'));
    expect(files.aggregate).toHaveLength(1);
    expect(files.links).toHaveLength(1);
    expect(files.individual).toHaveLength(100);
    const agg = readJson(files.aggregate[0]!);
    expect(agg.summary).toMatchObject({ total_datasets: 100, complete: true });
    expect(agg.collection_info.endpoint).toBe(hub.url);
    // HF_TOKEN was used, and never shown
    expect(hub.requests.some((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(s.text()).not.toContain(TOKEN);
  });

  it('2 asks again for a bad amount ("abc", "-3", "0"), then collects 5; a wrong menu choice is asked again; Ctrl-C at the prompt exits 130 quietly', async ({ expect }) => {
    const cwd = tempDir('menu-');
    const s = menu(cwd);
    await s.waitFor(PROMPT);
    s.send('9\r');
    await s.waitFor('Please type 1, 2, 3 or 4.');
    await s.waitFor(PROMPT);
    s.send('hello\r');
    await s.waitFor('Please type 1, 2, 3 or 4.');
    await s.waitFor(PROMPT);
    s.send('2\r');
    for (const bad of ['abc', '-3', '0']) {
      await s.waitFor('How many datasets? (1-10000000): ');
      s.send(`${bad}\r`);
      await s.waitFor('Please type a whole number from 1 to 10000000.');
    }
    await s.waitFor('How many datasets? (1-10000000): ');
    s.send('5\r');
    await s.waitFor(/Done: collected 5 datasets/);
    await s.waitFor(PROMPT);
    const before = s.raw().length;
    s.send('\x03');
    expect(await exitCode(s)).toBe(130);
    // quietly: at most a line break after the prompt, no message, no stack
    expect(s.raw().slice(before).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(/^[\r\n]*$/);

    const files = outputFiles(join(cwd, 'hf_datasets_output'));
    expect(readJson(files.aggregate[0]!).datasets).toHaveLength(5);
    expect(files.individual).toHaveLength(5);
  });

  it('3 asks for a term (again when empty) and writes search_<term>_<ts>.json with up to 100 matches', async ({ expect }) => {
    const cwd = tempDir('menu-');
    const s = menu(cwd);
    await s.waitFor(PROMPT);
    s.send('3\r');
    await s.waitFor('Search term');
    s.send('   \r');
    await s.waitFor('Please type a word to search for.');
    await s.waitFor('Search term');
    s.send('dataset-1\r');
    await s.waitFor(/Done: collected \d+ datasets/);
    await s.waitFor(PROMPT);
    s.send('4\r');
    expect(await exitCode(s)).toBe(0);

    const files = outputFiles(join(cwd, 'hf_datasets_output'));
    expect(files.aggregate).toHaveLength(1);
    expect(files.aggregate[0]).toMatch(/search_dataset-1_\d{8}_\d{6}\.json$/);
    const agg = readJson(files.aggregate[0]!);
    // synthetic 300: dataset-1, dataset-10..19, dataset-100..199 = 111 matches, cut at 100
    expect(agg.datasets).toHaveLength(100);
    expect(agg.datasets.every((d: { id: string }) => d.id.includes('dataset-1'))).toBe(true);
    expect(agg.collection_info.query).toMatchObject({ search: 'dataset-1', limit: 100 });
  });

  it('Ctrl-C during a run stops it as on the command line: files closed with complete:false, exit 130', async ({ expect }) => {
    const cwd = tempDir('menu-');
    const s = spawnPty([process.execPath, BIN], { cwd, env: cliEnv({ HF_ENDPOINT: slowHub.url, ...NO_PROXY }) });
    await s.waitFor(PROMPT);
    s.send('2\r');
    await s.waitFor('How many datasets?');
    s.send('1000\r');
    await s.waitFor(/collected [1-9]\d*\/1000 \(\d+%\)/); // the live progress line, so the run is under way
    s.send('\x03');
    expect(await exitCode(s)).toBe(130);
    await expect(s.waitFor(/interrupted; stopped after \d+ datasets/, 100)).resolves.toBeTruthy();

    const files = outputFiles(join(cwd, 'hf_datasets_output'));
    const agg = readJson(files.aggregate[0]!);
    expect(agg.summary.complete).toBe(false);
    expect(agg.datasets.length).toBe(agg.summary.total_datasets);
    expect(agg.datasets.length).toBeGreaterThan(0);
    expect(agg.datasets.length).toBeLessThan(1000);
    expect(existsSync(join(cwd, 'hf_datasets_output', '.hf-datasets-state.json'))).toBe(true);
  });

  it('a fatal error (Hub unreachable) is reported in one line and the menu comes back', async ({ expect }) => {
    const cwd = tempDir('menu-');
    const s = menu(cwd, { HF_ENDPOINT: 'http://127.0.0.1:9' });
    await s.waitFor(PROMPT);
    s.send('1\r');
    await s.waitFor(/hf-datasets: cannot reach http:\/\/127\.0\.0\.1:9\/.*\(after \d+ attempts\)/);
    await s.waitFor('The run failed (see above)');
    await s.waitFor(PROMPT);
    s.send('4\r');
    expect(await exitCode(s)).toBe(0);
    expect(s.text()).not.toMatch(/\n\s+at /); // no stack
    expect(readJson(outputFiles(join(cwd, 'hf_datasets_output')).aggregate[0]!).summary.complete).toBe(false);
  });

  it('a bad HF_ENDPOINT is reported before the first prompt (exit 2)', async ({ expect }) => {
    const s = menu(tempDir('menu-'), { HF_ENDPOINT: 'ftp://nope' });
    expect(await exitCode(s)).toBe(2);
    expect(s.text()).toMatch(/hf-datasets: .*must be an http\(s\) URL/);
    expect(s.text()).not.toContain(PROMPT);
  });
});

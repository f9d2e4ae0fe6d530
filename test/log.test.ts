/** The two log forms: readable lines (rendered from the call, no JSON round trip) and pino's NDJSON. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../src/config.js';
import { createLogger, formatLine } from '../src/log.js';
import { runCli } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

function capture(format: 'text' | 'json', level: 'debug' | 'info' | 'warn' = 'info'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger(level, format, { write: (t) => lines.push(t) }) };
}

describe('text logs', () => {
  it('one line an entry, fields in brackets, secrets hidden', () => {
    const { lines, log } = capture('text');
    log.info('plain');
    log.warn({ url: 'http://x/api', n: 3, token: 'hf_secret', nested: { authorization: 'Bearer hf_secret' } }, 'with fields');
    log.debug('not shown at info');
    expect(lines).toEqual([
      'hf-datasets info: plain\n',
      'hf-datasets warn: with fields (url=http://x/api n=3 token=[redacted] nested={"authorization":"[redacted]"})\n',
    ]);
    expect(lines.join('')).not.toContain('hf_secret');
  });

  it('formatLine renders an Error first argument by its message', () => {
    expect(formatLine(50, [new Error('boom'), 'failed'])).toBe('hf-datasets error: failed (err=boom)\n');
  });
});

describe('json logs', () => {
  it('are pino NDJSON objects with level, time and msg, secrets hidden', () => {
    const { lines, log } = capture('json');
    log.warn({ token: 'hf_secret', n: 1 }, 'hello');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 40, msg: 'hello', n: 1, token: '[redacted]' });
    expect(typeof entry.time).toBe('number');
  });

  it('--log-format is checked like every option', () => {
    expect(normalizeConfig('collect', {}, {}).logFormat).toBe('text');
    expect(normalizeConfig('collect', { logFormat: 'json' }, {}).logFormat).toBe('json');
    expect(() => normalizeConfig('collect', { logFormat: 'xml' }, {})).toThrow('--log-format must be one of text, json, got "xml"');
  });

  describe('through the CLI', () => {
    let hub: FakeHub;
    beforeAll(async () => {
      hub = await startFakeHub();
    });
    afterAll(async () => {
      await hub.close();
    });

    it('--log-format json writes only JSON lines on stderr', async () => {
      const r = await runCli(['collect', '--limit', '3', '--ndjson', '--endpoint', hub.url, '--log-format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const entries = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(entries.at(-1)!.msg).toMatch(/^collected 3 datasets, 0 failed/);
      expect(r.stdout.trim().split('\n')).toHaveLength(3);
    });
  });
});

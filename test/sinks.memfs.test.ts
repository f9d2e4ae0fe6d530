/**
 * The file sinks over an in-memory filesystem (memfs): document framing, checkpoints and
 * resume offsets, exclusive creation, temp+rename for individual files.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fs as memfs, vol } from 'memfs';

vi.mock('node:fs/promises', () => ({ ...memfs.promises, default: memfs.promises }));

const { BufferedFile } = await import('../src/output/buffered-file.js');
const { JsonCollectionFile } = await import('../src/output/json-collection-file.js');
const { IndividualFiles } = await import('../src/output/individual-files.js');

const read = (p: string): string => memfs.readFileSync(p, 'utf8') as string;

beforeEach(() => {
  vol.reset();
  vol.mkdirSync('/out', { recursive: true });
});

describe('BufferedFile', () => {
  it('tracks byte offsets of multi-byte text and never overwrites an existing file', async () => {
    const f = await BufferedFile.open('/out/a.txt');
    f.write('héllo ');
    f.write('😀');
    expect(f.offset).toBe(Buffer.byteLength('héllo 😀'));
    expect(await f.checkpoint()).toBe(f.offset);
    await f.close();
    expect(read('/out/a.txt')).toBe('héllo 😀');
    await expect(BufferedFile.open('/out/a.txt')).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('reopens at an offset and cuts what came after it', async () => {
    vol.writeFileSync('/out/b.txt', 'keep|drop this partial tail');
    const f = await BufferedFile.open('/out/b.txt', 5);
    f.write('more');
    await f.close();
    expect(read('/out/b.txt')).toBe('keep|more');
  });

  it('flushes by itself past 1 MB and returns a promise to await', async () => {
    const f = await BufferedFile.open('/out/c.txt');
    const big = 'x'.repeat(600_000);
    expect(f.write(big)).toBeUndefined();
    const p = f.write(big);
    expect(p).toBeInstanceOf(Promise);
    await p;
    expect(read('/out/c.txt').length).toBe(1_200_000);
    await f.close();
  });
});

describe('JsonCollectionFile', () => {
  it('is valid JSON when finished with no, one or many elements', async () => {
    for (const n of [0, 1, 3]) {
      const path = `/out/doc${n}.json`;
      const doc = await JsonCollectionFile.create(path, { tool: 't' });
      for (let i = 0; i < n; i++) await doc.add(JSON.stringify({ i }));
      await doc.finish({ total: n, complete: true });
      const parsed = JSON.parse(read(path));
      expect(parsed).toEqual({ collection_info: { tool: 't' }, datasets: Array.from({ length: n }, (_, i) => ({ i })), summary: { total: n, complete: true } });
    }
  });

  it('a resumed document continues from the checkpoint, dropping the closing summary and anything after', async () => {
    const path = '/out/r.json';
    const doc = await JsonCollectionFile.create(path, { a: 1 });
    doc.add('{"i":0}');
    doc.add('{"i":1}');
    const offset = await doc.checkpoint();
    doc.add('{"i":"not durable"}');
    await doc.finish({ complete: false });
    expect(JSON.parse(read(path)).datasets).toHaveLength(3);

    const again = await JsonCollectionFile.resume(path, offset, 2);
    again.add('{"i":2}');
    await again.finish({ complete: true });
    expect(JSON.parse(read(path))).toEqual({ collection_info: { a: 1 }, datasets: [{ i: 0 }, { i: 1 }, { i: 2 }], summary: { complete: true } });
  });

  it('a document resumed with no element yet gets no leading comma', async () => {
    const path = '/out/e.json';
    const doc = await JsonCollectionFile.create(path, {});
    const offset = await doc.checkpoint();
    await doc.finish({ complete: false });
    const again = await JsonCollectionFile.resume(path, offset, 0);
    again.add('{"x":1}');
    await again.finish({ complete: true });
    expect(JSON.parse(read(path)).datasets).toEqual([{ x: 1 }]);
  });
});

describe('IndividualFiles', () => {
  it('writes one file per id through a temporary name, and cleans stale temporaries', async () => {
    vol.mkdirSync('/out/individual_datasets', { recursive: true });
    vol.writeFileSync('/out/individual_datasets/.a__b.json.tmp-999', 'stale');
    const files = await IndividualFiles.open('/out');
    expect(memfs.readdirSync('/out/individual_datasets')).toEqual([]);
    for (let i = 0; i < 100; i++) await files.write(`org/ds-${i}`, JSON.stringify({ id: `org/ds-${i}` }));
    files.write('x/../../escape', '{"id":"x/../../escape"}');
    await files.drain();
    const names = memfs.readdirSync('/out/individual_datasets') as string[];
    expect(names).toHaveLength(101);
    expect(names.some((n) => n.includes('.tmp-'))).toBe(false);
    expect(JSON.parse(read('/out/individual_datasets/org__ds-7.json'))).toEqual({ id: 'org/ds-7' });
    expect(memfs.readdirSync('/')).toEqual(['out']);
  });

  it('a later run replaces the file of the same dataset', async () => {
    const files = await IndividualFiles.open('/out');
    files.write('a/b', '{"v":1}');
    await files.drain();
    files.write('a/b', '{"v":2}');
    await files.drain();
    expect(JSON.parse(read('/out/individual_datasets/a__b.json'))).toEqual({ v: 2 });
  });
});

import { createHash } from 'node:crypto';
import { basename, join, sep } from 'node:path';
import { describe, it, expect } from 'vitest';
import { MAX_STEM, safeFileName, safeFileStem, safeSearchTerm } from '../src/output/safe-name.js';

const h8 = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 8);

describe('safeFileStem', () => {
  it.each([
    ['allenai/c4', 'allenai__c4'],
    ['squad', 'squad'],
    ['a/b.c-d_e', 'a__b.c-d_e'],
    ['HuggingFaceFW/fineweb-edu', 'HuggingFaceFW__fineweb-edu'],
    ['x/../../escape', 'x__..__..__escape'],
    ['x/..', 'x__..'],
    ['x/.hidden', 'x__.hidden'],
  ])('%j → %j (no hash: only "/" changed)', (id, stem) => {
    expect(safeFileStem(id)).toBe(stem);
  });

  it.each([
    ['..', '_.'],
    ['.', '_'],
    ['.hidden', '_hidden'],
    ['a/b%2Fc', 'a__b_2Fc'],
    ['ünï/cödé', '_n___c_d_'],
    ['a__b/c', 'a__b__c'],
    ['a/b\u0000c\n', 'a__b_c_'],
    ['a\\b', 'a_b'],
    ['😀/x', '___x'],
    ['a b/c:d*e?f"g<h>i|j', 'a_b__c_d_e_f_g_h_i_j'],
    ['', '_'],
  ])('%j → %j + hash (cleaning changed more than "/", or "__")', (id, base) => {
    expect(safeFileStem(id)).toBe(`${base}-${h8(id)}`);
  });

  it('hashes a "/" next to "_" so a_/b and a/_b do not clash (addition to the documented rule)', () => {
    expect(safeFileStem('a_/b')).toBe(`a___b-${h8('a_/b')}`);
    expect(safeFileStem('a/_b')).toBe(`a___b-${h8('a/_b')}`);
    expect(safeFileStem('a/_b_c')).toBe(`a___b_c-${h8('a/_b_c')}`);
    expect(safeFileStem('a_b/c_d')).toBe('a_b__c_d');
  });

  it('cuts a long stem so stem + suffix is exactly 200 characters', () => {
    const id = 'a/' + 'b'.repeat(298);
    const stem = safeFileStem(id);
    expect(stem).toHaveLength(MAX_STEM);
    expect(stem).toBe('a__' + 'b'.repeat(188) + '-' + h8(id));
    const exact = 'a/' + 'b'.repeat(197);
    expect(safeFileStem(exact)).toBe('a__' + 'b'.repeat(197));
    expect(safeFileStem(exact + 'b')).toHaveLength(MAX_STEM);
    expect(safeFileStem(exact + 'b')).toMatch(/-[0-9a-f]{8}$/);
  });

  it('cuts long unicode ids to ≤ 200 characters', () => {
    expect(safeFileStem('ü'.repeat(500)).length).toBeLessThanOrEqual(MAX_STEM);
    expect(safeFileStem('😀'.repeat(500)).length).toBeLessThanOrEqual(MAX_STEM);
  });

  it('gives safe, distinct names for hostile ids', () => {
    const ids = [
      'x/../../escape', 'x/..', 'x/.hidden', '..', '.', '', '/', '//', '/x', 'x/', '../x', './x',
      'a'.repeat(300), 'a/' + 'b'.repeat(300), 'a/' + 'b'.repeat(299), 'a/b%2Fc', 'a/b/c', 'a__b/c', 'a/_b_c', 'a___b_c',
      'a_/b', 'a/_b', 'a__b', 'a/b', 'a/b\u0000', 'a/b\u0001', 'a/b\n', 'a/b\r\n', '\ufffd', 'a\\..\\b', 'C:\\x', 'ünï/cödé',
      'u\u0308n/x', 'A/x', 'a/x', 'con', 'nul/aux', '\ud800', '\udc00', 'x/\u202etxt.exe',
    ];
    const names = ids.map(safeFileName);
    expect(new Set(names).size).toBe(ids.length);
    const dir = join(sep, 'out', 'individual_datasets');
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9._-]+\.json$/);
      expect(name.length).toBeLessThanOrEqual(MAX_STEM + 5);
      expect(name).not.toMatch(/[/\\\0]/);
      expect(basename(name)).toBe(name);
      expect(join(dir, name).startsWith(dir + sep)).toBe(true);
      const stem = name.slice(0, -5);
      expect(stem).not.toBe('');
      expect(stem).not.toBe('.');
      expect(stem).not.toBe('..');
      expect(stem.startsWith('.')).toBe(false);
    }
  });

  it('depends on the id alone (deterministic)', () => {
    expect(safeFileStem('ünï/cödé')).toBe(safeFileStem('ünï/cödé'));
  });

  it('ids differing only in case give names differing only in case (documented; documented rule kept)', () => {
    expect(safeFileStem('A/x')).toBe('A__x');
    expect(safeFileStem('a/x')).toBe('a__x');
  });
});

describe('safeFileName', () => {
  it('turns an id into a .json file name (the slash as __, a dot-only name hashed)', () => {
    expect(safeFileName('allenai/c4')).toBe('allenai__c4.json');
    expect(safeFileName('..')).toBe(`_.-${h8('..')}.json`);
  });
});

describe('safeSearchTerm', () => {
  it('cleans like ids, without hash, at most 50 characters', () => {
    expect(safeSearchTerm('math problems/2024')).toBe('math_problems__2024');
    expect(safeSearchTerm('.hidden')).toBe('_hidden');
    expect(safeSearchTerm('x'.repeat(80))).toBe('x'.repeat(50));
    expect(safeSearchTerm('')).toBe('_');
    expect(safeSearchTerm('../../etc')).toBe('_.__..__etc');
  });
});

/** Numbers, sizes and dates for people: 1.2M, 3.4 GB, 5 Mar 2024. Pure functions (no locale: the same text everywhere). */

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

/** 1234567 → "1,234,567" (integers; other numbers keep up to 2 decimals). */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const [int, frac] = (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '')).split('.');
  return int!.replace(GROUP, ',') + (frac ? `.${frac}` : '');
}

/** 999 → "999", 1234 → "1.2K", 1_250_000 → "1.3M", 3e9 → "3B"; null → "–". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs < 1000) return formatInt(Math.round(n * 100) / 100);
  for (const [size, unit] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']] as const) {
    if (abs >= size * 0.9995) return `${trim(n / size)}${unit}`;
  }
  return formatInt(n);
}

/** 3_400_000_000 → "3.4 GB" (decimal units, as the Hub shows them); null → "–". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) < 1000) return `${formatInt(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = n / 1000;
  let u = 0;
  while (Math.abs(v) >= 999.95 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${trim(v)} ${units[u]}`;
}

/** One decimal under 100 ("1.2", "12.5"), none above ("123"); a trailing ".0" dropped. */
function trim(v: number): string {
  const s = Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1);
  return s.replace(/\.0$/, '');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parse(iso: string | null | undefined): Date | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2024-03-05T14:02:00Z" → "5 Mar 2024" (UTC); null or garbage → "–". */
export function formatDate(iso: string | null | undefined): string {
  const d = parse(iso);
  if (d === null) return '–';
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "2024-03-05T14:02:00Z" → "5 Mar 2024, 14:02 UTC". */
export function formatDateTime(iso: string | null | undefined): string {
  const d = parse(iso);
  if (d === null) return '–';
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${formatDate(iso)}, ${hh}:${mm} UTC`;
}

/** "2024-03" → "Mar 2024" (other text unchanged). */
export function formatMonth(label: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (!m) return label;
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** The ISO text when it parses, for a `<time datetime>` attribute; else null. */
export function isoOrNull(iso: string | null | undefined): string | null {
  const d = parse(iso);
  return d === null ? null : d.toISOString();
}


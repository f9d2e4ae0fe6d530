/**
 * The charts of the pages and the report, drawn as plain SVG on the server: horizontal bars (shares), columns
 * (per month, log-scale buckets) and a line chart with two series on two axes (downloads and likes over syncs).
 * Drawn by hand rather than with Vega or Observable Plot: three chart kinds in ~200 lines, no dependency that needs a
 * DOM (or jsdom) on the server, and the same markup works in `serve` and in the report's file (no script).
 * Every chart carries its title and axis labels as SVG text, readable without script and when printed;
 * colours come from classes (the stylesheet), so no inline style is needed (CSP).
 */
import { type HtmlValue, SafeHtml, html, join } from './html.js';
import { formatCount } from './format.js';

export interface ChartBar {
  label: string;
  value: number;
  /** the full text of the bar's tooltip (default: label and value) */
  tip?: string;
}

const r1 = (n: number): number => Math.round(n * 10) / 10;

/** The smallest "nice" number (1, 2, 2.5, 5 × 10^k) at or above `max`, for an axis. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Cuts a label to `n` characters with an ellipsis. */
function cut(label: string, n: number): string {
  const chars = [...label];
  return chars.length <= n ? label : `${chars.slice(0, n - 1).join('')}…`;
}

function frame(title: string, width: number, height: number, body: HtmlValue, extraClass = ''): SafeHtml {
  return html`<figure class="chart${extraClass ? ` ${extraClass}` : ''}"><figcaption>${title}</figcaption><svg class="chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg"><title>${title}</title>${body}</svg></figure>`;
}

function empty(title: string, note = 'No data yet.'): SafeHtml {
  return html`<figure class="chart chart-empty"><figcaption>${title}</figcaption><p class="muted">${note}</p></figure>`;
}

/** Horizontal bars, one per row, label on the left and value on the right (shares: licenses, tasks, modalities). */
export function barChart(title: string, bars: readonly ChartBar[], opts: { total?: number; format?: (n: number) => string } = {}): SafeHtml {
  if (bars.length === 0) return empty(title);
  const fmt = opts.format ?? formatCount;
  const width = 560;
  const labelW = 180;
  const valueW = 100;
  const row = 24;
  const top = 6;
  const height = top + bars.length * row + 4;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const plotW = width - labelW - valueW;
  const rows = bars.map((b, i) => {
    const y = top + i * row;
    const w = Math.max(r1((b.value / max) * plotW), b.value > 0 ? 1 : 0);
    const share = opts.total && opts.total > 0 ? ` (${((b.value / opts.total) * 100).toFixed(1)}%)` : '';
    return html`<g class="bar-row"><title>${b.tip ?? `${b.label}: ${fmt(b.value)}${share}`}</title><text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${cut(b.label, 22)}</text><rect class="bar" x="${labelW}" y="${y + 3}" width="${w}" height="${row - 6}" rx="2"></rect><text class="value" x="${labelW + w + 6}" y="${y + 16}">${fmt(b.value)}${share}</text></g>`;
  });
  return frame(title, width, height, rows, 'chart-bars');
}

/** Vertical columns over ordered buckets (months, log-scale ranges), a value axis with grid lines. */
export function columnChart(title: string, bars: readonly ChartBar[], opts: { format?: (n: number) => string; xLabel?: string; width?: number } = {}): SafeHtml {
  if (bars.length === 0 || bars.every((b) => b.value === 0)) return empty(title);
  const fmt = opts.format ?? formatCount;
  const width = opts.width ?? 560;
  const height = 240;
  const left = 52;
  const right = 10;
  const top = 12;
  const bottom = opts.xLabel ? 52 : 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(...bars.map((b) => b.value)));
  const slot = plotW / bars.length;
  const barW = Math.max(1, Math.min(48, slot * 0.78));
  // x labels of about 80 units each at most, evenly spread
  const every = Math.max(1, Math.ceil(bars.length / Math.floor(plotW / 80)));
  const parts: HtmlValue[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = (max / 4) * k;
    const y = r1(top + plotH - (v / max) * plotH);
    parts.push(html`<line class="grid" x1="${left}" x2="${width - right}" y1="${y}" y2="${y}"></line><text class="tick" x="${left - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  bars.forEach((b, i) => {
    const h = r1((b.value / max) * plotH);
    const x = r1(left + i * slot + (slot - barW) / 2);
    parts.push(html`<g class="col"><title>${b.tip ?? `${b.label}: ${fmt(b.value)}`}</title><rect class="bar" x="${x}" y="${r1(top + plotH - h)}" width="${r1(barW)}" height="${Math.max(h, b.value > 0 ? 1 : 0)}"></rect></g>`);
    if (i % every === 0) {
      parts.push(html`<text class="tick" x="${r1(left + i * slot + slot / 2)}" y="${top + plotH + 18}" text-anchor="middle">${cut(b.label, 12)}</text>`);
    }
  });
  parts.push(html`<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"></line>`);
  if (opts.xLabel) parts.push(html`<text class="axis-label" x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${opts.xLabel}</text>`);
  return frame(title, width, height, parts, 'chart-columns');
}

export interface LinePoint {
  label: string;
  a: number | null;
  b: number | null;
}

/** Two series over the same points (e.g. syncs), each on its own axis: `a` on the left, `b` on the right. */
export function lineChart(title: string, points: readonly LinePoint[], names: { a: string; b: string }): SafeHtml {
  if (points.length === 0 || points.every((p) => p.a === null && p.b === null)) return empty(title, 'No complete sync has listed it yet.');
  const width = 640;
  const height = 250;
  const left = 56;
  const right = 56;
  const top = 30;
  const bottom = 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxA = niceMax(Math.max(0, ...points.map((p) => p.a ?? 0)));
  const maxB = niceMax(Math.max(0, ...points.map((p) => p.b ?? 0)));
  const x = (i: number): number => r1(points.length === 1 ? left + plotW / 2 : left + (i / (points.length - 1)) * plotW);
  const y = (v: number, max: number): number => r1(top + plotH - (v / max) * plotH);
  const parts: HtmlValue[] = [];
  for (let k = 0; k <= 4; k++) {
    const yy = r1(top + plotH - (plotH / 4) * k);
    parts.push(html`<line class="grid" x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}"></line><text class="tick series-a-text" x="${left - 6}" y="${yy + 4}" text-anchor="end">${formatCount((maxA / 4) * k)}</text><text class="tick series-b-text" x="${width - right + 6}" y="${yy + 4}">${formatCount((maxB / 4) * k)}</text>`);
  }
  const every = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    if (i % every === 0 || i === points.length - 1) {
      parts.push(html`<text class="tick" x="${x(i)}" y="${top + plotH + 16}" text-anchor="middle">${cut(p.label, 12)}</text>`);
    }
  });
  const series = (key: 'a' | 'b', max: number, cls: string, name: string): HtmlValue[] => {
    const pts = points.map((p, i) => (p[key] === null ? null : `${x(i)},${y(p[key]!, max)}`)).filter((s): s is string => s !== null);
    const out: HtmlValue[] = [];
    if (pts.length > 1) out.push(html`<polyline class="line ${cls}" points="${pts.join(' ')}" fill="none"></polyline>`);
    points.forEach((p, i) => {
      if (p[key] !== null) out.push(html`<circle class="dot ${cls}" cx="${x(i)}" cy="${y(p[key]!, max)}" r="3"><title>${p.label}: ${formatCount(p[key])} ${name}</title></circle>`);
    });
    return out;
  };
  parts.push(series('a', maxA, 'series-a', names.a), series('b', maxB, 'series-b', names.b));
  parts.push(html`<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"></line>`);
  // legend
  parts.push(html`<g class="legend"><rect class="swatch series-a" x="${left}" y="8" width="12" height="12" rx="2"></rect><text class="legend-text" x="${left + 18}" y="18">${names.a} (left axis)</text><rect class="swatch series-b" x="${left + 190}" y="8" width="12" height="12" rx="2"></rect><text class="legend-text" x="${left + 208}" y="18">${names.b} (right axis)</text></g>`);
  return frame(title, width, height, parts, 'chart-line');
}

/** A row of SVG figures as one fragment. */
export function charts(...figures: SafeHtml[]): SafeHtml {
  return join(figures);
}

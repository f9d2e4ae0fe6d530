/**
 * The stylesheet of every page (served as /assets/style.css) and, inline, of the report. System fonts only
 * (no font from another origin); calm neutrals with one accent; a sidebar layout that folds on narrow screens.
 */
export const STYLE_CSS = String.raw`
:root {
  --bg: #f7f7f5; --panel: #ffffff; --text: #1f2328; --muted: #626a73; --line: #e3e3df; --line-strong: #cfcfc9;
  --accent: #3b5bdb; --accent-soft: #e7ecfd; --accent-2: #e8590c; --ok: #2b8a3e; --warn: #b35c00; --bad: #c92a2a;
  --radius: 8px; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --panel: #1a1d22; --text: #e4e6e9; --muted: #99a1ab; --line: #2b3038; --line-strong: #3c434d;
    --accent: #8aa4ff; --accent-soft: #222c4a; --accent-2: #ff8f4d; --ok: #6cc47f; --warn: #f0a050; --bad: #ff7b7b;
  }
  input[type="search"], select, .facet-list .value::before { background: #101215 !important; }
  .tag { background: #262a31 !important; color: #c9ced6 !important; }
  .tag.license, .kind-added { background: #1d3325 !important; color: var(--ok) !important; }
  .tag.task, .kind-restored { background: #3a2a17 !important; color: var(--warn) !important; }
  .tag.removed, .kind-removed { background: #3d1f22 !important; color: var(--bad) !important; }
  .banner { background: #3a2a17; border-color: #5c4020; color: #f5d3a8; }
  .pagination span[aria-current] { color: #0d1020; }
  button, .button { color: #0d1020; }
  button.secondary, .button.secondary { color: var(--text); }
}
@media print { :root { --bg: #fff; --panel: #fff; --text: #000; --muted: #444; --line: #ccc; --line-strong: #999; --accent: #1f3fb8; --accent-soft: #e7ecfd; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1, h2, h3 { line-height: 1.25; margin: 0 0 .5em; }
h1 { font-size: 1.6rem; font-weight: 650; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; font-weight: 650; margin-top: 1.6em; }
h3 { font-size: 1rem; font-weight: 600; }
code, .mono { font-family: var(--mono); font-size: .9em; }
.muted { color: var(--muted); }
.small { font-size: .875rem; }
.site-header { background: var(--panel); border-bottom: 1px solid var(--line); }
.site-header .inner { max-width: 1240px; margin: 0 auto; padding: 0 20px; display: flex; align-items: center; gap: 28px; height: 56px; }
.brand { font-weight: 700; color: var(--text); font-size: 1.05rem; letter-spacing: -.01em; white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand .logo { color: var(--accent); margin-right: 6px; }
.site-nav { display: flex; gap: 4px; }
.site-nav a { color: var(--muted); padding: 6px 12px; border-radius: 6px; font-weight: 500; }
.site-nav a:hover { background: var(--bg); color: var(--text); text-decoration: none; }
.site-nav a[aria-current="page"] { color: var(--accent); background: var(--accent-soft); }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
.site-footer { max-width: 1240px; margin: 0 auto; padding: 16px 20px 32px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
.site-footer span + span::before { content: " · "; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 18px; }
.layout { display: grid; grid-template-columns: 270px minmax(0, 1fr); gap: 24px; align-items: start; }
@media (max-width: 860px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  .layout > aside { order: 2; } /* results first on a narrow screen, the filters after them */
  .site-header .inner { gap: 10px; padding: 0 12px; }
  .site-nav a { padding: 6px 8px; }
  main { padding: 16px 12px 40px; }
}
@media (max-width: 420px) { .brand .logo { display: none; } .brand { font-size: .95rem; } }

/* search form */
.search-bar { display: flex; gap: 8px; margin-bottom: 14px; flex-wrap: wrap; }
.search-bar input[type="search"] { flex: 1 1 320px; min-width: 0; }
input, select, button { font: inherit; color: inherit; }
input[type="search"], input[type="number"], select {
  border: 1px solid var(--line-strong); border-radius: 6px; background: #fff; padding: 7px 10px; height: 38px;
}
input:focus, select:focus, button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
button, .button {
  background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 0 16px; height: 38px; font-weight: 600; cursor: pointer;
  display: inline-flex; align-items: center;
}
button.secondary, .button.secondary { background: var(--panel); color: var(--text); border: 1px solid var(--line-strong); }
.toolbar { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.toolbar label { color: var(--muted); font-size: .9rem; display: inline-flex; align-items: center; gap: 6px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 12px; padding: 0; list-style: none; }
.chip { display: inline-flex; align-items: center; gap: 6px; background: var(--accent-soft); color: var(--accent); border-radius: 999px; padding: 2px 10px; font-size: .85rem; }
.chip a { color: inherit; font-weight: 700; }
.facets { font-size: .9rem; }
.facets h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 16px 0 6px; }
.facets h3:first-child { margin-top: 0; }
.facet-list { list-style: none; margin: 0; padding: 0; }
.facet-list li a { display: flex; justify-content: space-between; gap: 8px; padding: 3px 6px; border-radius: 5px; color: var(--text); }
.facet-list li a:hover { background: var(--bg); text-decoration: none; }
.facet-list .value { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.facet-list .value::before { content: ""; display: inline-block; width: 12px; height: 12px; border: 1.5px solid var(--line-strong); border-radius: 3px; margin-right: 8px; vertical-align: -1px; background: #fff; }
.facet-list a.selected .value::before { background: var(--accent); border-color: var(--accent); box-shadow: inset 0 0 0 2px #fff; }
.facet-list a.selected { font-weight: 600; }
.facet-list .count { color: var(--muted); font-variant-numeric: tabular-nums; }
.facets details summary { cursor: pointer; color: var(--accent); padding: 3px 6px; font-size: .85rem; }
.ranges { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.ranges select { width: 100%; min-width: 0; height: 34px; padding: 4px 6px; font-size: .85rem; }
.facets > select { width: 100%; height: 34px; }
.ranges + .ranges { margin-top: 6px; }
.field-label { display: block; font-size: .8rem; color: var(--muted); margin: 10px 0 4px; }
.facets .apply { margin-top: 12px; width: 100%; justify-content: center; }

/* results */
.results { list-style: none; margin: 0; padding: 0; }
.result { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; margin-bottom: 10px; }
.result:hover { border-color: var(--line-strong); }
.result-title { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.result-title a { font-weight: 600; font-size: 1.02rem; overflow-wrap: anywhere; }
.result-title .pretty { color: var(--muted); overflow-wrap: anywhere; }
/* an id or name holding bidi controls (U+202E…) cannot reorder the text around it */
.result-title a, .result-title .pretty, td a, .tag, h1, .subtitle { unicode-bidi: isolate; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); font-size: .85rem; margin-top: 6px; font-variant-numeric: tabular-nums; }
.meta b { color: var(--text); font-weight: 600; }
.tags { display: flex; flex-wrap: wrap; gap: 5px; margin-top: 6px; }
.tag { display: inline-block; background: #f1f3f5; border-radius: 4px; padding: 1px 7px; font-size: .8rem; color: #495057; overflow-wrap: anywhere; }
.tag.license { background: #e6f4ea; color: #276738; }
.tag.task { background: #fff4e6; color: #9a4a00; }
.tag.removed, .kind-removed { background: #ffe3e3; color: var(--bad); }
.kind { display: inline-block; border-radius: 4px; padding: 1px 8px; font-size: .8rem; font-weight: 600; }
.kind-added { background: #e6f4ea; color: var(--ok); }
.kind-updated { background: var(--accent-soft); color: var(--accent); }
.kind-restored { background: #fff4e6; color: var(--warn); }
.empty { padding: 32px; text-align: center; color: var(--muted); }
.pagination { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; margin-top: 16px; }
.pagination a, .pagination span { min-width: 36px; height: 34px; padding: 0 10px; display: inline-flex; align-items: center; justify-content: center; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); }
.pagination span[aria-current] { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
.pagination .gap { border: 0; background: none; }
.pagination .disabled { color: var(--muted); opacity: .6; }

/* dataset page */
.page-head { margin-bottom: 18px; }
.page-head .subtitle { color: var(--muted); font-size: 1.05rem; margin: -4px 0 8px; overflow-wrap: anywhere; }
.links { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 0; padding: 0; list-style: none; }
.links li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; font-size: .9rem; overflow-wrap: anywhere; }
.links .kind-label { color: var(--muted); margin-right: 4px; }
.not-a-link { color: var(--muted); overflow-wrap: anywhere; }
.grid-2 { display: grid; grid-template-columns: minmax(0, 1.4fr) minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 960px) { .grid-2 { grid-template-columns: minmax(0, 1fr); } }
.description { font-family: inherit; line-height: 1.55; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 32em; overflow: auto; margin: 0; font-size: .92rem; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 16px; margin: 0; font-size: .92rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { font-family: var(--mono); font-size: .85rem; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
.note { font-size: .85rem; color: var(--muted); margin: 8px 0 0; }
.banner { background: #fff4e6; border: 1px solid #ffd8a8; color: #7a3e00; border-radius: var(--radius); padding: 10px 14px; margin-bottom: 16px; }

.panel > h2:first-child, .panel h2.first { margin-top: 0; }
section.panel + section.panel, .grid-2 > div > section + section { margin-top: 16px; }
h3.subhead { margin-top: 16px; }

/* stats */
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 8px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; }
.card .n { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .what { color: var(--muted); font-size: .85rem; }
.sync-lines { list-style: none; padding: 0; margin: 12px 0 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
@media (max-width: 520px) { .charts { grid-template-columns: minmax(0, 1fr); } }

/* charts */
figure.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px; break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-svg { width: 100%; height: auto; display: block; font-family: inherit; }
.chart-svg text { font-size: 12.5px; fill: var(--muted); }
.chart-svg text.label { fill: var(--text); }
.chart-svg text.value { fill: var(--muted); font-variant-numeric: tabular-nums; }
.chart-svg .bar { fill: var(--accent); opacity: .85; }
.chart-svg g:hover .bar { opacity: 1; }
.chart-svg .grid { stroke: var(--line); stroke-width: 1; }
.chart-svg .axis { stroke: var(--line-strong); stroke-width: 1; }
.chart-svg .line { stroke-width: 2.2; fill: none; }
.chart-svg .line.series-a { stroke: var(--accent); }
.chart-svg .line.series-b { stroke: var(--accent-2); }
.chart-svg .dot.series-a, .chart-svg .swatch.series-a { fill: var(--accent); }
.chart-svg .dot.series-b, .chart-svg .swatch.series-b { fill: var(--accent-2); }
.chart-svg text.series-a-text { fill: var(--accent); }
.chart-svg text.series-b-text { fill: var(--accent-2); }
.chart-svg text.legend-text { fill: var(--text); font-size: 13px; }
.charts-wide { margin-bottom: 16px; }
.charts-wide .chart-svg { max-height: 300px; }
.chart-empty p { margin: 8px 0; }

/* error page */
.error-box { max-width: 640px; margin: 40px auto; text-align: center; }
.error-box .code { font-size: 3rem; font-weight: 700; color: var(--line-strong); }
.error-box p { overflow-wrap: anywhere; }

/* report */
.report-head { display: flex; justify-content: space-between; align-items: baseline; gap: 16px; flex-wrap: wrap; }
@media print {
  body { background: #fff; font-size: 11pt; }
  .site-header, .site-footer .no-print, .pagination, .no-print { display: none; }
  main { max-width: none; padding: 0; }
  .panel, figure.chart, .card, .result { border-color: #bbb; }
  .charts { grid-template-columns: 1fr 1fr; }
  a { color: inherit; }
  h2 { break-after: avoid; }
  tr, figure, .card { break-inside: avoid; }
}
`;

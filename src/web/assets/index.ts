/**
 * The static files `serve` answers under /assets/ (path → type and body). The pages work without them but for
 * looks: app.js only enhances (a changed sort or page size submits the search form, whose URL leaves out empty fields;
 * "/" focuses the search box).
 */
import { STYLE_CSS } from './style.js';

/** app.js: loaded with `defer` from the tool's own origin (the CSP forbids inline scripts and handlers). */
const APP_JS = `'use strict';
(function () {
  var form = document.getElementById('search-form');
  if (form) {
    var autos = form.querySelectorAll('select[data-autosubmit]');
    for (var i = 0; i < autos.length; i++) {
      autos[i].addEventListener('change', function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
    }
    // a shorter URL to share: empty fields and default values are left out (the server reads them as absent anyway)
    var defaults = { sort: 'downloads', per_page: '50' };
    form.addEventListener('formdata', function (e) {
      var drop = [];
      e.formData.forEach(function (value, key) {
        if (value === '' || defaults[key] === value) drop.push(key);
      });
      for (var j = 0; j < drop.length; j++) e.formData.delete(drop[j]);
    });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    var q = document.getElementById('q');
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });
})();
`;

/** A small mark for the browser tab (a favicon request that would otherwise be a 404). */
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b5bdb"/><path d="M9 10h14M9 16h14M9 22h9" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>`;

export interface Asset {
  type: string;
  body: string;
}

/** Keyed by the name under /assets/ (the server answers `/assets/<name>`). */
export const ASSETS: Readonly<Record<string, Asset>> = Object.freeze({
  'style.css': { type: 'text/css; charset=utf-8', body: STYLE_CSS },
  'app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
  'favicon.svg': { type: 'image/svg+xml', body: FAVICON_SVG },
});

export { STYLE_CSS };

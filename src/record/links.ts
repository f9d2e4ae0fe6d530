/**
 * Link extraction and URL building for records: GitHub repositories and arXiv ids
 * found in free text and card data, and the Hub URLs of a dataset and its files.
 * Every regex is compiled once here; the global ones are only used through
 * `exec` loops that reset `lastIndex` first (the code is synchronous, so sharing is safe).
 */
import type { PaperLink } from '../types.js';
import { isPlainObject } from './util.js';

/**
 * A GitHub repository URL: optional scheme, optional `www.`, any host case. The look-behind stops
 * `gist.github.com`, `api.github.com`, `notgithub.com` and `git@github.com` from matching.
 * Owner: letters, digits, hyphens. Repo: letters, digits, `.`, `_`, `-` — so a path, query, fragment
 * or punctuation such as `)`, `,`, `;`, `'`, `"`, `>`, `]`, `}` ends it.
 */
const GITHUB_RE = /(?<![\w.@-])(?:https?:\/\/)?(?:www\.)?github\.com\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)/gi;
const TRAILING_DOTS_RE = /\.+$/;
const DOT_GIT_RE = /\.git$/i;

/** First path segments of github.com that are site pages, not owners. */
const GITHUB_RESERVED = new Set([
  'about', 'apps', 'blog', 'codespaces', 'collections', 'contact', 'customer-stories', 'enterprise',
  'events', 'explore', 'features', 'issues', 'join', 'login', 'logout', 'marketplace', 'new',
  'notifications', 'orgs', 'organizations', 'pricing', 'pulls', 'search', 'security', 'sessions',
  'settings', 'site', 'sponsors', 'team', 'topics', 'trending', 'users',
]);

/** The id part of arXiv ids: new style `2103.03874`, old style `hep-th/9901001`, `math.GT/0309136`. */
const ARXIV_ID = String.raw`(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?(?![\d])`;
/** An arxiv.org abs/pdf URL (also `www.` / `export.`, any scheme or none); the version suffix is matched but not captured. */
const ARXIV_URL_RE = new RegExp(
  String.raw`(?<![\w.-])(?:https?:\/\/)?(?:(?:www|export)\.)?arxiv\.org\/(?:abs|pdf)\/` + ARXIV_ID,
  'gi',
);
/** A whole `arxiv:` tag value. */
const ARXIV_TAG_RE = new RegExp('^' + ARXIV_ID + '$', 'i');

/** Strings shorter than this cannot hold `github.com/a/b` or an arxiv.org URL. */
const MIN_LINK_TEXT = 14;
/** How deep `scanCard` descends into card data. */
const MAX_DEPTH = 50;
/** How many values `scanCard` visits per record at most (defence against hostile fan-out). */
const MAX_NODES = 100_000;

/** Characters `encodeURIComponent` leaves alone, plus `/`: such a path needs no encoding. */
const URL_SAFE_PATH_RE = /^[A-Za-z0-9\-_.!~*'()/]*$/;

/**
 * Collects GitHub repositories and arXiv ids for one record, in first-seen order,
 * de-duplicated (GitHub case-insensitively on owner/repo, keeping the first spelling).
 */
export class LinkCollector {
  /** `https://github.com/<owner>/<repo>` URLs found so far. */
  readonly github: string[] = [];
  /** arXiv ids (version dropped) found so far. */
  readonly arxiv: string[] = [];
  /** lower-cased owner/repo of `github`, and the ids of `arxiv`: Sets, as hostile text may hold 10⁵ distinct links */
  private readonly githubKeys = new Set<string>();
  private readonly arxivIds = new Set<string>();
  private budget = MAX_NODES;

  /** Adds an arXiv id given as an `arxiv:` tag value; ignored unless it looks like an arXiv id. */
  addArxivTag(value: string): void {
    const m = ARXIV_TAG_RE.exec(value.trim());
    if (m !== null) this.addArxiv(m[1]!);
  }

  /** Scans one string for GitHub repository URLs and arxiv.org abs/pdf URLs. Non-strings are ignored. */
  scanText(text: unknown): void {
    if (typeof text !== 'string' || text.length < MIN_LINK_TEXT) return;
    let m: RegExpExecArray | null;
    GITHUB_RE.lastIndex = 0;
    while ((m = GITHUB_RE.exec(text)) !== null) this.addGithub(m[1]!, m[2]!);
    ARXIV_URL_RE.lastIndex = 0;
    while ((m = ARXIV_URL_RE.exec(text)) !== null) this.addArxiv(m[1]!);
  }

  /**
   * Scans every string value inside card data (own keys only, depth ≤ 50, a bounded number of
   * values, so hostile nesting or a cycle cannot hang or overflow the stack).
   */
  scanCard(value: unknown, depth = 0): void {
    if (--this.budget < 0) return;
    if (typeof value === 'string') {
      this.scanText(value);
    } else if (typeof value === 'object' && value !== null && depth < MAX_DEPTH) {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.scanCard(value[i], depth + 1);
      } else if (isPlainObject(value)) {
        for (const key in value) {
          if (Object.hasOwn(value, key)) this.scanCard(value[key], depth + 1);
        }
      }
    }
  }

  private addGithub(owner: string, rawRepo: string): void {
    if (GITHUB_RESERVED.has(owner.toLowerCase())) return;
    let repo = rawRepo.replace(TRAILING_DOTS_RE, '').replace(DOT_GIT_RE, '').replace(TRAILING_DOTS_RE, '');
    if (repo === '' || repo === '.' || repo === '..') return;
    const key = (owner + '/' + repo).toLowerCase();
    if (this.githubKeys.has(key)) return;
    this.githubKeys.add(key);
    this.github.push('https://github.com/' + owner + '/' + repo);
  }

  private addArxiv(id: string): void {
    if (this.arxivIds.has(id)) return;
    this.arxivIds.add(id);
    this.arxiv.push(id);
  }
}

/** Every GitHub repository URL in `text`, reduced to `https://github.com/<owner>/<repo>`, de-duplicated. */
export function extractGithubRepos(text: string): string[] {
  const c = new LinkCollector();
  c.scanText(text);
  return c.github;
}

/** Every arXiv id (version dropped) of the arxiv.org abs/pdf URLs in `text`, de-duplicated. */
export function extractArxivIds(text: string): string[] {
  const c = new LinkCollector();
  c.scanText(text);
  return c.arxiv;
}

/** The record's paper entries for arXiv ids: abs URL and the Hub's paper page on `endpoint`. */
export function paperLinks(ids: readonly string[], endpoint: string): PaperLink[] {
  const out: PaperLink[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    out[i] = { arxiv_id: id, url: 'https://arxiv.org/abs/' + id, hf_paper_url: endpoint + '/papers/' + id };
  }
  return out;
}

/** A lone surrogate (with the `u` flag a valid pair is one code point, never `Cs`). */
const LONE_SURROGATE_RE = /\p{Cs}/gu;

/** `encodeURIComponent`, except that a lone surrogate (which it refuses with a URIError) is encoded as U+FFFD. */
function encodeSegment(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return encodeURIComponent(segment.replace(LONE_SURROGATE_RE, '\uFFFD'));
  }
}

/**
 * `path` with each `/`-separated segment passed through `encodeURIComponent` (the `/` kept).
 * Never throws: a lone surrogate (JSON can carry one as `\ud800`) becomes `%EF%BF%BD`, as a URL parser would make it.
 */
export function encodePath(path: string): string {
  if (URL_SAFE_PATH_RE.test(path)) return path;
  return path.split('/').map(encodeSegment).join('/');
}

/** `endpoint` without trailing slashes. */
export function trimEndpoint(endpoint: string): string {
  let end = endpoint.length;
  while (end > 0 && endpoint.charCodeAt(end - 1) === 47 /* '/' */) end--;
  return end === endpoint.length ? endpoint : endpoint.slice(0, end);
}

/** `<endpoint>/datasets/<id>` (id segments encoded). */
export function datasetUrl(endpoint: string, id: string): string {
  return endpoint + '/datasets/' + encodePath(id);
}

/** `<endpoint>/api/datasets/<id>` (id segments encoded). */
export function apiUrl(endpoint: string, id: string): string {
  return endpoint + '/api/datasets/' + encodePath(id);
}

/** `<endpoint>/datasets/<id>/resolve/main/<path>` (id and path segments encoded). */
export function downloadUrl(endpoint: string, id: string, path: string): string {
  return endpoint + '/datasets/' + encodePath(id) + '/resolve/main/' + encodePath(path);
}

/** One resolve URL per file path, in order. */
export function downloadLinks(endpoint: string, id: string, paths: readonly { path: string }[]): string[] {
  const prefix = endpoint + '/datasets/' + encodePath(id) + '/resolve/main/';
  const out: string[] = new Array(paths.length);
  for (let i = 0; i < paths.length; i++) out[i] = prefix + encodePath(paths[i]!.path);
  return out;
}

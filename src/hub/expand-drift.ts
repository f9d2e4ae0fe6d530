/**
 * `expand` values the Hub stops accepting. The Hub's list of expandable properties changes over
 * time (`xetEnabled` was dropped, `mainSize` added); a value it no longer knows makes it answer
 * 400 `{"error":"\"expand\" must be one of [author, cardData, ...]"}` for the whole request.
 * Such a value is dropped for the rest of the run: one warning names every value dropped at once,
 * the request is asked again without them (one extra request, whatever their number), and every
 * later URL (a `Link` next, a resumed cursor, a detail call) is stripped of them before it is sent.
 * The record fields those values filled stay null.
 *
 * The values refused are kept in the client's session (one client = one origin of one run),
 * shared by the listing and the detail calls.
 */
import { HttpError } from '../errors.js';
import type { HubClient } from '../http/client.js';

/** The values refused so far in this client's run. */
export function refusedExpand(client: HubClient): ReadonlySet<string> {
  return client.session.refusedExpand;
}

/** `expand` / `expand[]` (either spelling, percent-encoded or not) */
function isExpandName(name: string): boolean {
  return name === 'expand' || name === 'expand[]';
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The `expand` values a URL (or path + query) asks for. */
export function expandValuesOf(url: string): string[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const out: string[] = [];
  for (const part of url.slice(q + 1).split('#')[0]!.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && isExpandName(decode(part.slice(0, eq)))) out.push(decode(part.slice(eq + 1)));
  }
  return out;
}

/**
 * `url` without the `expand` parameters whose value is in `refused`. Every other parameter is
 * kept byte for byte, in order (a cursor must reach the Hub exactly as the Hub wrote it).
 */
export function withoutExpand(url: string, refused: ReadonlySet<string>): string {
  const q = url.indexOf('?');
  if (q < 0 || refused.size === 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const kept = query.split('&').filter((part) => {
    const eq = part.indexOf('=');
    return !(eq > 0 && isExpandName(decode(part.slice(0, eq))) && refused.has(decode(part.slice(eq + 1))));
  });
  const rest = hash < 0 ? '' : url.slice(hash);
  return kept.length === 0 ? url.slice(0, q) + rest : `${url.slice(0, q)}?${kept.join('&')}${rest}`;
}

/**
 * The values the Hub accepts, when `err` is its 400 refusing an `expand` value (the message lists
 * them: `"expand" must be one of [a, b, …]`, or `"expand[1]" …`); null for any other failure.
 */
export function acceptedExpand(err: unknown): string[] | null {
  if (!(err instanceof HttpError) || err.status !== 400 || err.detail === null) return null;
  const m = /"expand(?:\[\d*\])?"\s+must be one of\s*\[([^\]]*)\]/.exec(err.detail);
  if (!m) return null;
  return m[1]!.split(',').map((s) => s.trim().replace(/^["']|["']$/g, '')).filter((s) => s !== '');
}

/**
 * When `err` is the Hub refusing some of the `expand` values `url` asked for: records them as
 * refused for this client's run, warns once naming them, and returns true (ask again, stripped
 * with {@link stripRefused}). False for any other failure, or when nothing asked could be dropped.
 */
export function dropRefusedExpand(client: HubClient, err: unknown, url: string): boolean {
  const accepted = acceptedExpand(err);
  if (accepted === null) return false;
  const ok = new Set(accepted);
  const asked = expandValuesOf(url);
  const dropped = [...new Set(asked.filter((v) => !ok.has(v)))];
  if (dropped.length === 0) return false;
  const refused = client.session.refusedExpand;
  const fresh = dropped.filter((v) => !refused.has(v));
  for (const v of dropped) refused.add(v);
  if (fresh.length > 0) {
    // requests in flight at the same time may be refused too: the warning is given once per value
    client.log('warn', `the Hub no longer accepts expand ${fresh.length === 1 ? 'value' : 'values'} ${fresh.map((v) => JSON.stringify(v)).join(', ')}; asking without ${fresh.length === 1 ? 'it' : 'them'} (the record fields ${fresh.length === 1 ? 'it fills' : 'they fill'} stay null)`);
  }
  return true;
}

/** `url` without the values refused so far in this client's run. */
export function stripRefused(client: HubClient, url: string): string {
  return withoutExpand(url, refusedExpand(client));
}

/**
 * The DuckDB catalog as a sink of the record pipeline (`sync`).
 *
 * Lifecycle: `storable` is the first step after the listing (records as stored, before dedupe);
 * `plan` is the step before the enrichers: it holds a page's records until the page's marker,
 * reads what the catalog holds for their ids (one query), drops an id committed earlier in this
 * sync (a run of it that stopped), and says per record which enricher parts to carry (kept for an
 * unchanged sha) and which to fetch. Ids repeated within this run are dropped by the pipeline's
 * dedupe (a page may be looked up before the page before it commits). `write` takes each enriched record and stages its row; `checkpoint(page)`
 * commits the staged rows with the cursor `page.next` in ONE transaction (a sync stopped at any
 * instant leaves a valid catalog that the next sync continues from the cursor). Records written
 * after the last checkpoint are not committed: the next sync lists their page again. `finish`
 * books the requests spent after the last commit. The catalog's connection is used by one
 * statement at a time (a page's lookup may come while the page before it commits).
 */
import type { CheckpointPolicy } from '../catalog/checkpoint-policy.js';
import { hashed } from '../catalog/storable.js';
import { PageLookup, Statements } from '../catalog/prepared.js';
import { addRequests, commitPage, type ChangeKind, type Existing, type FetchMark, type PageRow, type SyncCounts } from '../catalog/store.js';
import type { Catalog } from '../catalog/schema.js';
import type { Enricher } from '../enrichers/enricher.js';
import type { Flow, FlowStage, PageMark, RecordItem } from '../flow/pipeline.js';
import type { DatasetRecord } from '../types.js';
import type { RecordSink, Summary } from './record-sink.js';

export interface CatalogSinkOptions {
  catalog: Catalog;
  syncId: number;
  /** every enricher (their kept parts are carried even when this sync does not fetch them) */
  enrichers: readonly Enricher[];
  /** the enrichers this sync fetches */
  active: readonly Enricher[];
  endpoint: string;
  /** every HTTP request of the run so far (booked with each commit) */
  requests: () => number;
  policy: CheckpointPolicy;
  /** after each commit (the CLI collects garbage there) */
  afterCommit?: () => void;
}

/** What `plan` found for a record, handed back to `write` with the item. */
interface Planned {
  kind: ChangeKind;
  /** the record as listed (well-formed), its hash, and its sha */
  fresh: DatasetRecord;
  hash: string;
  existingHash: string | null;
}

function classify(record: DatasetRecord, e: Existing | undefined): ChangeKind {
  if (!e) return 'added';
  if (e.removed) return 'restored';
  return e.sha !== record.sha ? 'updated' : 'unchanged';
}

export class CatalogSink implements RecordSink<'catalog'> {
  readonly name = 'catalog';
  /** this run's work */
  readonly run: SyncCounts = { pages: 0, listed: 0, added: 0, updated: 0, restored: 0, unchanged: 0, removed: 0, requests: 0 };
  /** the last page is committed: the sync is complete */
  complete = false;
  readonly #o: CatalogSinkOptions;
  readonly #lookup: PageLookup;
  readonly #stmts: Statements;
  readonly #byName: Map<string, Enricher>;
  #rows: PageRow[] = [];
  #marks: FetchMark[] = [];
  #committedRequests = 0;
  /** one statement at a time on the connection */
  #db: Promise<unknown> = Promise.resolve();

  private constructor(o: CatalogSinkOptions, lookup: PageLookup) {
    this.#o = o;
    this.#lookup = lookup;
    this.#stmts = new Statements(o.catalog.conn);
    this.#byName = new Map(o.enrichers.map((e) => [e.name, e]));
  }

  static async open(o: CatalogSinkOptions): Promise<CatalogSink> {
    return new CatalogSink(o, await PageLookup.prepare(o.catalog.conn, o.enrichers.map((e) => e.name)));
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#db.then(work, work);
    this.#db = done.catch(() => undefined);
    return done;
  }

  /**
   * The first step after the listing: each record as the catalog stores it (well-formed, see
   * storable.ts) with its hash, so the ids de-duplicated after it are the ids stored.
   */
  readonly storable: FlowStage = async function* (flow) {
    for await (const f of flow) {
      if (f.kind !== 'record') {
        yield f;
        continue;
      }
      // the JSON text is made for the hash and dropped (see hashed)
      const { record, hash } = hashed(f.record);
      yield { ...f, record, note: hash };
    }
  };

  /** The step before the enrichers, after `storable` and dedupe (see the note at the top). */
  readonly plan: FlowStage = (flow) => this.#plan(flow);

  async *#plan(flow: AsyncIterable<Flow>): AsyncGenerator<Flow> {
    let page: RecordItem[] = [];
    for await (const f of flow) {
      if (f.kind === 'record') {
        page.push(f);
        continue;
      }
      const held = page;
      page = [];
      const existing = held.length === 0 ? new Map<string, Existing>() : await this.#serial(() => this.#lookup.read(this.#o.syncId, held.map((item) => item.record.id)));
      for (const item of held) {
        const e = existing.get(item.record.id);
        if (e?.seen) continue; // listed and committed earlier in this sync (a run of it that stopped)
        yield this.#planned(item, item.note as string, e);
      }
      yield f;
    }
  }

  #planned(item: RecordItem, hash: string, e: Existing | undefined): RecordItem {
    const fresh = item.record;
    const kind = classify(fresh, e);
    const carry = new Map<string, unknown>();
    const fetch = new Set<string>();
    for (const enricher of this.#o.enrichers) {
      const held = e?.stages.get(enricher.name);
      const active = this.#o.active.includes(enricher);
      // an answer for this sha is kept; one that is not final (failed, not ready, pending) is asked again when the enricher runs
      const forSha = held !== undefined && held.sha === fresh.sha;
      if (forSha && !(active && (!held.ok || kind === 'restored'))) carry.set(enricher.name, held.stored);
      else if (active) fetch.add(enricher.name);
    }
    const note: Planned = { kind, fresh, hash, existingHash: e?.hash ?? null };
    return { ...item, carry, fetch, note };
  }

  write(record: DatasetRecord, _json?: string, item?: RecordItem): undefined {
    const p = item?.note as Planned | undefined;
    if (p === undefined) throw new Error('the catalog sink takes only records its plan step has seen');
    // the record as stored (lone surrogates repaired): the marks take their id and parts from it too
    const stored = record === p.fresh ? { record, hash: p.hash } : hashed(record);
    let filesChanged = p.kind !== 'unchanged';
    for (const f of item?.fetched ?? []) {
      const enricher = this.#byName.get(f.name)!;
      this.#marks.push({ id: stored.record.id, stage: f.name, sha: p.fresh.sha, ok: !f.refetch, value: JSON.stringify(enricher.part(stored.record) ?? null) });
      if (enricher.path === '$.files') filesChanged = true;
    }
    const same = p.kind === 'unchanged' && !filesChanged && p.existingHash === stored.hash;
    this.#rows.push({ id: stored.record.id, kind: p.kind, record: stored.record, hash: stored.hash, same, files: filesChanged ? stored.record.files : null });
    return undefined;
  }

  /** Commits the rows staged since the last checkpoint with the cursor `page.next`. */
  async checkpoint(page?: PageMark): Promise<number> {
    if (page === undefined) return 0;
    const rows = this.#rows;
    const marks = this.#marks;
    this.#rows = [];
    this.#marks = [];
    const spent = this.#o.requests() - this.#committedRequests;
    const { catalog, syncId, policy } = this.#o;
    const removed = await this.#serial(async () => {
      const n = await commitPage(catalog.conn, this.#stmts, syncId, rows, marks, page.next, spent);
      if (policy.afterCommit(rows.filter((r) => r.kind !== 'added').length, page.next === null)) await catalog.checkpoint();
      return n;
    });
    this.#committedRequests += spent;
    this.#o.afterCommit?.();
    this.run.pages += 1;
    this.run.listed += rows.length;
    for (const r of rows) this.run[r.kind] += 1;
    this.run.removed += removed;
    if (page.next === null) this.complete = true;
    return 0;
  }

  /** Books the requests spent after the last commit (a stopped sync; best effort), and frees the prepared statements. */
  async finish(_summary?: Summary): Promise<number> {
    this.run.requests = this.#o.requests();
    if (!this.complete) await this.#serial(() => addRequests(this.#o.catalog.conn, this.#o.syncId, this.#o.requests() - this.#committedRequests)).catch(() => undefined);
    await this.#db;
    this.#lookup.close();
    this.#stmts.close();
    return 0;
  }
}

/**
 * A stand-in for the BigQuery REST API — NOT BigQuery. It speaks the subset of the v2 API the
 * adapter uses (datasets.get, tables.get/insert, jobs.insert, jobs.get, jobs.getQueryResults, and
 * the multipart upload of load jobs) on 127.0.0.1 and a random port, runs no SQL (each query's
 * result comes from a responder the test sets), and records every request. It exists to test the
 * client's behaviour — job ids, labels, byte caps, dry runs, load configs, retries — with the real
 * `@google-cloud/bigquery` client; whether BigQuery accepts the SQL is checked by the ZetaSQL
 * analyzer, and what BigQuery really does by the live suite.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/** What a query job "returns": a schema and rows (values as JS; TIMESTAMP as Date or ISO string), or a DML count. */
export interface FakeResult {
  readonly fields?: ReadonlyArray<{ readonly name: string; readonly type: string; readonly mode?: string }>;
  readonly rows?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly numDmlAffectedRows?: number;
  readonly totalBytesProcessed?: number;
  /** Fail the job with this errorResult. */
  readonly error?: { readonly reason: string; readonly message: string };
}

export interface FakeJob {
  readonly id: string;
  readonly configuration: Record<string, unknown>;
  /** How many inserts carried this id (the first created it; the others got 409). */
  inserts: number;
  readonly result: FakeResult;
  readonly sessionId?: string;
  /** Load jobs: the uploaded data. */
  readonly data?: string;
}

export interface FakeBigQuery {
  readonly url: string;
  readonly project: string;
  readonly dataset: string;
  readonly requests: RecordedRequest[];
  /** Jobs that ran, in order (dry runs create none). */
  readonly jobs: FakeJob[];
  /** Tables that exist: name → schema fields. */
  readonly tables: Map<string, Array<{ name: string; type: string; mode?: string }>>;
  /** Answers query jobs; the default returns no rows. */
  respond(fn: (sql: string, configuration: Record<string, unknown>) => FakeResult | undefined): void;
  /** The next `n` job inserts (query or upload) create their job, then lose the response (the socket is destroyed). */
  dropInsertResponses(n: number): void;
  /** The next `n` job inserts fail with HTTP `status` without creating anything. */
  failInserts(n: number, status: number, reason: string): void;
  /** An auth client for the real library that hands out a fake token. */
  readonly authClient: { getRequestHeaders(): Promise<Headers> };
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number, reason: string, message: string): void {
  send(res, status, { error: { code: status, message, errors: [{ reason, message }] } });
}

/** A cell as the REST API writes it (`v` strings; TIMESTAMP as int64 microseconds, as the client asks). */
function cell(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => ({ v: cell(type, x) }));
  if (type === 'TIMESTAMP') return String(BigInt(new Date(v as string | Date).getTime()) * 1000n);
  return String(v);
}

/** Splits a multipart/related body into its two parts: the job resource (JSON) and the data. */
function multipart(body: Buffer, contentType: string): { meta: Record<string, unknown>; data: string } {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) throw new Error('no multipart boundary');
  const parts = body.toString('utf8').split(`--${boundary}`).slice(1, -1).map((p) => p.slice(p.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, ''));
  return { meta: JSON.parse(parts[0]!) as Record<string, unknown>, data: parts[1] ?? '' };
}

export async function startFakeBigQuery(options: { project?: string; dataset?: string } = {}): Promise<FakeBigQuery> {
  const project = options.project ?? 'test-project';
  const dataset = options.dataset ?? 'beamline_test';
  const requests: RecordedRequest[] = [];
  const jobs: FakeJob[] = [];
  const byId = new Map<string, FakeJob>();
  const tables = new Map<string, Array<{ name: string; type: string; mode?: string }>>();
  let responder: (sql: string, configuration: Record<string, unknown>) => FakeResult | undefined = () => undefined;
  let drops = 0;
  let failures: { n: number; status: number; reason: string } = { n: 0, status: 0, reason: '' };
  let sessions = 0;

  const resource = (job: FakeJob) => {
    const r = job.result;
    const statistics: Record<string, unknown> = {
      totalBytesProcessed: String(r.totalBytesProcessed ?? 0),
      query: { totalBytesProcessed: String(r.totalBytesProcessed ?? 0), numDmlAffectedRows: r.numDmlAffectedRows === undefined ? undefined : String(r.numDmlAffectedRows) },
    };
    if (job.sessionId) statistics.sessionInfo = { sessionId: job.sessionId };
    if (job.data !== undefined) statistics.load = { outputRows: String(job.data.split('\n').filter(Boolean).length) };
    return {
      kind: 'bigquery#job', id: `${project}:US.${job.id}`, jobReference: { projectId: project, jobId: job.id, location: 'US' },
      configuration: job.configuration, statistics,
      status: r.error ? { state: 'DONE', errorResult: r.error, errors: [r.error] } : { state: 'DONE' },
    };
  };

  const createJob = (id: string, configuration: Record<string, unknown>, data?: string): FakeJob => {
    const query = configuration.query as { query?: string; createSession?: boolean } | undefined;
    const result = query ? (responder(query.query ?? '', configuration) ?? {}) : {};
    const sessionId = query?.createSession ? `session-${++sessions}` : undefined;
    const job: FakeJob = { id, configuration, inserts: 1, result, sessionId, data };
    jobs.push(job);
    byId.set(id, job);
    return job;
  };

  /** jobs.insert and the upload: create (or 409), honouring the injected faults. */
  const insert = (res: ServerResponse, body: { jobReference?: { jobId?: string }; configuration?: Record<string, unknown> }, data?: string) => {
    const configuration = body.configuration ?? {};
    if (configuration.dryRun) {
      const sql = (configuration.query as { query?: string } | undefined)?.query ?? '';
      const r = responder(sql, configuration) ?? {};
      if (r.error) return apiError(res, 400, r.error.reason, r.error.message);
      const bytes = String(r.totalBytesProcessed ?? 0);
      return send(res, 200, { kind: 'bigquery#job', configuration, jobReference: { projectId: project, location: 'US' }, status: { state: 'DONE' }, statistics: { totalBytesProcessed: bytes, query: { totalBytesProcessed: bytes } } });
    }
    if (failures.n > 0) {
      failures.n--;
      return apiError(res, failures.status, failures.reason, `injected ${failures.reason}`);
    }
    const id = body.jobReference?.jobId ?? `job_${jobs.length + 1}`;
    const existing = byId.get(id);
    if (existing) {
      existing.inserts++;
      return apiError(res, 409, 'duplicate', `Already Exists: Job ${project}:US.${id}`);
    }
    const job = createJob(id, configuration, data);
    if (drops > 0) {
      drops--;
      res.socket?.destroy();
      return;
    }
    send(res, 200, resource(job));
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await readBody(req);
      const isUpload = url.pathname.startsWith('/upload/');
      const body = raw.length && !isUpload ? JSON.parse(raw.toString('utf8')) : isUpload ? null : undefined;
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: isUpload ? multipart(raw, String(req.headers['content-type'])) : body });
      const p = url.pathname.replace(/^\/(upload\/)?bigquery\/v2\/projects\/[^/]+/, '');
      let m: RegExpExecArray | null;
      if (isUpload && req.method === 'POST' && p === '/jobs') {
        const { meta, data } = multipart(raw, String(req.headers['content-type']));
        return insert(res, meta, data);
      }
      if (req.method === 'POST' && p === '/jobs') return insert(res, body);
      if (req.method === 'GET' && (m = /^\/jobs\/([^/]+)$/.exec(p))) {
        const job = byId.get(decodeURIComponent(m[1]!));
        return job ? send(res, 200, resource(job)) : apiError(res, 404, 'notFound', `Not found: Job ${m[1]}`);
      }
      if (req.method === 'GET' && (m = /^\/queries\/([^/]+)$/.exec(p))) {
        const job = byId.get(decodeURIComponent(m[1]!));
        if (!job) return apiError(res, 404, 'notFound', `Not found: Job ${m[1]}`);
        const fields = job.result.fields ?? [];
        const rows = (job.result.rows ?? []).map((r) => ({ f: fields.map((f) => ({ v: cell(f.type, r[f.name]) })) }));
        return send(res, 200, { kind: 'bigquery#getQueryResultsResponse', jobReference: { projectId: project, jobId: job.id, location: 'US' }, schema: { fields }, rows, totalRows: String(rows.length), jobComplete: true });
      }
      if (req.method === 'GET' && (m = /^\/datasets\/([^/]+)$/.exec(p))) {
        return m[1] === dataset ? send(res, 200, { datasetReference: { projectId: project, datasetId: dataset }, location: 'US' }) : apiError(res, 404, 'notFound', `Not found: Dataset ${project}:${m[1]}`);
      }
      if (req.method === 'GET' && (m = /^\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(p))) {
        const fields = m[1] === dataset ? tables.get(m[2]!) : undefined;
        return fields ? send(res, 200, { tableReference: { projectId: project, datasetId: dataset, tableId: m[2] }, schema: { fields } }) : apiError(res, 404, 'notFound', `Not found: Table ${project}:${m[1]}.${m[2]}`);
      }
      if (req.method === 'POST' && (m = /^\/datasets\/([^/]+)\/tables$/.exec(p))) {
        const t = body as { tableReference: { tableId: string }; schema?: { fields?: Array<{ name: string; type: string }> } };
        if (tables.has(t.tableReference.tableId)) return apiError(res, 409, 'duplicate', `Already Exists: Table ${t.tableReference.tableId}`);
        tables.set(t.tableReference.tableId, t.schema?.fields ?? []);
        return send(res, 200, t);
      }
      apiError(res, 404, 'notFound', `the fake BigQuery does not serve ${req.method} ${url.pathname}`);
    })().catch((err: Error) => apiError(res, 500, 'internalError', err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`, project, dataset, requests, jobs, tables,
    respond: (fn) => void (responder = fn),
    dropInsertResponses: (n) => void (drops = n),
    failInserts: (n, status, reason) => void (failures = { n, status, reason }),
    authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-token' }) },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

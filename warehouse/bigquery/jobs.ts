/**
 * Jobs: insert with a deterministic id, wait, read results. A retried insert — by the client after a
 * lost response, or by this module after a transport fault — that meets 409 Already Exists looks
 * the job up and waits for it: one job runs, however many times its insert was sent.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery, Job } from '@google-cloud/bigquery';
import { isTransportError, jobFailure, toWarehouseError, type BigQueryErrorProto } from './errors.ts';
import { plainRow } from './values.ts';
import type { Row } from '../types.ts';

/** The parts of a job resource this module reads. */
export interface JobResource {
  readonly jobReference?: { readonly jobId?: string; readonly location?: string };
  readonly status?: { readonly state?: string; readonly errorResult?: BigQueryErrorProto; readonly errors?: BigQueryErrorProto[] };
  readonly statistics?: {
    readonly totalBytesProcessed?: string;
    readonly query?: { readonly totalBytesProcessed?: string; readonly totalBytesBilled?: string; readonly numDmlAffectedRows?: string };
    readonly load?: { readonly outputRows?: string };
    readonly sessionInfo?: { readonly sessionId?: string };
  };
}

export interface JobsOptions {
  readonly project: string;
  readonly location: string;
  readonly apiEndpoint: string;
  readonly pollMs: number;
  readonly insertRetries: number;
}

export class Jobs {
  constructor(
    readonly client: BigQuery,
    private readonly options: JobsOptions,
  ) {}

  job(id: string): Job {
    return this.client.job(id, { location: this.options.location });
  }

  /** Inserts a job (idempotently, by id) and waits until it is done. Throws a WarehouseError if it failed. */
  async run(jobId: string, configuration: Record<string, unknown>, what: string): Promise<JobResource> {
    const inserted = await this.#insert(jobId, what, async () => {
      const [job] = await this.client.createJob({ jobId, location: this.options.location, configuration } as never);
      return job.metadata as JobResource;
    });
    return this.wait(jobId, inserted, what);
  }

  /** A dry run: no job is created; BigQuery validates the query and says how many bytes it would read. */
  async dryRun(configuration: Record<string, unknown>, what: string): Promise<JobResource> {
    try {
      const [job] = await this.client.createJob({ location: this.options.location, configuration: { ...configuration, dryRun: true } } as never);
      return job.metadata as JobResource;
    } catch (err) {
      throw toWarehouseError(err, what);
    }
  }

  /**
   * A load job from local files: their bytes, one after the other, are uploaded with the job
   * (multipart), streamed from disk (never read into memory), never sent row by row.
   */
  async uploadAndRun(jobId: string, configuration: Record<string, unknown>, files: readonly string[], what: string): Promise<JobResource> {
    const inserted = await this.#insert(jobId, what, () => this.#upload(jobId, configuration, files));
    return this.wait(jobId, inserted, what);
  }

  async #insert(jobId: string, what: string, send: () => Promise<JobResource>): Promise<JobResource> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if ((err as { code?: number }).code === 409) {
          // The job exists: an earlier send of this very insert reached BigQuery. Wait for that one.
          try {
            const [metadata] = await this.job(jobId).getMetadata();
            return metadata as JobResource;
          } catch (lookupErr) {
            throw toWarehouseError(lookupErr, `looking up job ${jobId} after 409 Already Exists, for ${what}`, jobId);
          }
        }
        if (isTransportError(err) && attempt < this.options.insertRetries) {
          await sleep(this.options.pollMs * 2 ** attempt);
          continue;
        }
        throw toWarehouseError(err, what, jobId);
      }
    }
  }

  async #upload(jobId: string, configuration: Record<string, unknown>, files: readonly string[]): Promise<JobResource> {
    const body = { jobReference: { projectId: this.options.project, jobId, location: this.options.location }, configuration };
    const boundary = `beamline-${jobId}`;
    const head = Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--`);
    // The length is known up front, so the upload is a plain (not chunked) request whatever its size.
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    const length = head.length + sizes.reduce((a, b) => a + b, 0) + tail.length;
    async function* parts(): AsyncGenerator<Buffer> {
      yield head;
      for (const f of files) for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      yield tail;
    }
    const url = `${this.options.apiEndpoint}/upload/bigquery/v2/projects/${encodeURIComponent(this.options.project)}/jobs?uploadType=multipart`;
    const auth = await (this.client.authClient as unknown as { getRequestHeaders(url?: string): Promise<Headers | Record<string, string>> }).getRequestHeaders(url);
    const headers = new Headers(auth as ConstructorParameters<typeof Headers>[0]);
    headers.set('Content-Type', `multipart/related; boundary=${boundary}`);
    headers.set('Content-Length', String(length));
    const res = await fetch(url, { method: 'POST', headers, body: Readable.toWeb(Readable.from(parts())) as ReadableStream, duplex: 'half' } as RequestInit);
    const json = (await res.json().catch(() => ({}))) as JobResource & { error?: { code?: number; message?: string; errors?: BigQueryErrorProto[] } };
    if (!res.ok) {
      const err = new Error(json.error?.message ?? `HTTP ${res.status}`) as Error & { code?: number; errors?: BigQueryErrorProto[] };
      err.code = res.status;
      err.errors = json.error?.errors;
      throw err;
    }
    return json;
  }

  /** Polls until the job is DONE; throws its errorResult as a WarehouseError. */
  async wait(jobId: string, resource: JobResource, what: string): Promise<JobResource> {
    let current = resource;
    let delay = this.options.pollMs;
    while (current.status?.state !== 'DONE') {
      await sleep(delay);
      delay = Math.min(delay * 1.5, 5000);
      try {
        [current] = (await this.job(jobId).getMetadata()) as unknown as [JobResource];
      } catch (err) {
        throw toWarehouseError(err, `waiting for ${what}`, jobId);
      }
    }
    if (current.status?.errorResult) throw toWarehouseError(jobFailure(current.status), what, jobId);
    return current;
  }

  /** Every result row of a finished query job, as plain JS values. */
  async rows(jobId: string, what: string): Promise<Row[]> {
    try {
      const [rows] = await this.job(jobId).getQueryResults({ autoPaginate: true });
      return (rows as Array<Record<string, unknown>>).map(plainRow);
    } catch (err) {
      throw toWarehouseError(err, `reading the results of ${what}`, jobId);
    }
  }
}

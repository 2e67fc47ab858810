/**
 * Steps marked `exclusive` (extract) run one at a time across every process that shares the run
 * store — several BullMQ workers on several machines, a nightly run beside a backfill. DuckDB's file
 * lock already serializes writers on one machine; BigQuery has no such guard (two extracts of the same
 * new file would both load it), so the claim lives in the run store: a lease, renewed while the step
 * runs, that expires if its holder dies.
 */
import { hostname } from 'node:os';
import { StoreError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { RunStore } from '../store/index.ts';

export interface LeaseOptions {
  /** Who holds it: unique per run and worker. */
  readonly holder: string;
  /** How long a claim lasts without renewal (a dead holder's lease is free after this). Default 2 min. */
  readonly ttlMs?: number;
  /** How long to wait for another holder to finish before failing (retryable). Default 1 h. */
  readonly waitMs?: number;
  /** How often to ask while waiting. Default 1 s. */
  readonly pollMs?: number;
  readonly log?: Logger;
}

/**
 * A holder id: who (a worker id, a run id) and where (`@host:pid`), so a lease left by a process of
 * this machine that is gone (killed mid-step) is taken over at once instead of after its ttl.
 * (Assumes host names are unique per machine, as container and pod names are.)
 */
export function leaseHolder(who: string): string {
  return `${who}@${hostname()}:${process.pid}`;
}

/** True when `holder` names a process of this machine that no longer exists. */
export function holderIsGone(holder: string): boolean {
  const m = /@([^@:]+):(\d+)$/.exec(holder);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `fn` while holding the lease `name`; waits for the current holder, renews every third of the ttl, releases at the end. */
export async function withLease<T>(store: RunStore, name: string, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const ttlMs = options.ttlMs ?? 120_000;
  const waitMs = options.waitMs ?? 3_600_000;
  const pollMs = options.pollMs ?? 1_000;
  const deadline = Date.now() + waitMs;
  let waited = false;
  for (;;) {
    if (await store.acquireLease(name, options.holder, ttlMs)) break;
    const other = await store.getLease(name);
    if (other && holderIsGone(other.holder)) {
      // (releases only that holder's row: if someone else took it meanwhile, nothing happens)
      await store.releaseLease(name, other.holder);
      options.log?.warn({ event: 'lease_takeover', lease: name, holder: other.holder }, `took over ${name} from ${other.holder}: that process is gone`);
      continue;
    }
    if (!waited) {
      options.log?.info({ event: 'lease_wait', lease: name, holder: other?.holder }, `waiting for ${name}: held by ${other?.holder ?? 'another process'}`);
      waited = true;
    }
    if (Date.now() >= deadline) {
      throw new StoreError(`'${name}' is still held by ${other?.holder ?? 'another process'} after waiting ${Math.round(waitMs / 1000)} s (it runs one at a time across workers); retry later`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  let lost = false;
  const renew = setInterval(() => {
    store.acquireLease(name, options.holder, ttlMs).then(
      (held) => {
        if (!held && !lost) {
          lost = true;
          options.log?.error({ event: 'lease_lost', lease: name }, `lost the lease ${name} (renewal came too late): another process may run it concurrently`);
        }
      },
      (err: unknown) => options.log?.warn({ event: 'lease_renew_failed', lease: name, err }, `could not renew the lease ${name}`),
    );
  }, Math.max(1, Math.floor(ttlMs / 3)));
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await store.releaseLease(name, options.holder).catch(() => undefined);
  }
}

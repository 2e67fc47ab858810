/**
 * `beamline status`: recent runs and their steps, from the run store; their failures; and, when
 * Redis answers, the next scheduled run and the queues' job counts. Works without Redis.
 */
import { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { openRunStore, type RunWithSteps } from '../../store/index.ts';
import { formatMs } from '../progress.ts';

export function statusCommand(): Command {
  return new Command('status')
    .description('show recent runs and their steps, failures, and the next scheduled run')
    .option('-n, --limit <n>', 'how many runs', (v) => Number.parseInt(v, 10), 10)
    .option('--json', 'print JSON instead of a table')
    .option('--prefix <prefix>', 'Redis key prefix of the queues (default: $BEAMLINE_QUEUE_PREFIX or beamline)')
    .action(async (opts: { limit: number; json?: boolean; prefix?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<{ config?: string }>();
      const config = loadConfig({ file: global.config });
      const store = await openRunStore({ databaseUrl: config.runStore.databaseUrl ?? '', sqlitePath: config.runStore.sqlitePath });
      try {
        const runs = await store.listRuns({ limit: opts.limit });
        const detailed = await Promise.all(runs.map(async (r) => ({ ...r, steps: await store.listSteps(r.id) })));
        const failures = failuresOf(detailed);
        const queued = await queueStatus(config.redisUrl, opts.prefix);
        const leases = await store.listLeases();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ runs: detailed, failures, leases, ...queued }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${scheduleLine(queued)}\n`);
        // An exclusive step (extract) waits while another run holds its lease: say who, and until when.
        const now = Date.now();
        for (const l of leases) {
          const state = l.expiresAt.getTime() > now ? `until ${l.expiresAt.toISOString()} unless renewed` : `expired ${l.expiresAt.toISOString()}: the next run takes it over`;
          process.stdout.write(`lease ${l.name} held by ${l.holder} since ${l.acquiredAt.toISOString()}, ${state}\n`);
        }
        if (detailed.length === 0) {
          process.stdout.write('no runs yet: try `beamline run --from YYYY-MM-DD --to YYYY-MM-DD` or `beamline demo`\n');
          return;
        }
        for (const r of detailed) {
          process.stdout.write(`${r.id}  ${r.kind}  [${r.sliceFrom}, ${r.sliceTo})  ${r.status}  created ${r.createdAt}\n`);
          for (const s of r.steps) {
            const rows = s.rowsOut === null ? '' : `${s.rowsOut} rows`;
            const time = s.durationMs === null ? '' : formatMs(s.durationMs);
            const attempt = s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
            const slice = r.kind === 'backfill' ? ` ${s.slice.padEnd(22)}` : '';
            process.stdout.write(`    ${s.step.padEnd(28)}${slice} ${s.status.padEnd(10)} ${rows.padStart(14)} ${time.padStart(10)}${attempt}${s.error ? `  ${s.error}` : ''}\n`);
          }
        }
        if (failures.length > 0) {
          process.stdout.write(`\nfailures (${failures.length}):\n`);
          for (const f of failures) process.stdout.write(`  ${f.runId}  ${f.step} [${f.slice}] attempt ${f.attempt}: ${f.error ?? 'failed'}\n`);
        }
      } finally {
        await store.close();
      }
    });
}

interface Failure { runId: string; step: string; slice: string; attempt: number; error: string | null; finishedAt: string | null }

/** Failed steps of the runs shown, newest run first. */
function failuresOf(runs: RunWithSteps[]): Failure[] {
  return runs.flatMap((r) => r.steps.filter((s) => s.status === 'failed').map((s) => ({ runId: r.id, step: s.step, slice: s.slice, attempt: s.attempt, error: s.error, finishedAt: s.finishedAt })));
}

interface QueueStatus {
  schedule: { pattern: string; timeZone: string; next: string | null } | null;
  queues: Record<string, Record<string, number>> | null;
  redisError?: string;
}

/** The schedule and queue counts from Redis; jobs/ is loaded only here, and a missing Redis is reported, not thrown. */
async function queueStatus(redisUrl: string, prefix: string | undefined): Promise<QueueStatus> {
  const jobs = await import('../../jobs/index.ts');
  try {
    await jobs.checkRedis(redisUrl, { timeoutMs: 1000 });
  } catch (err) {
    return { schedule: null, queues: null, redisError: (err as Error).message };
  }
  const queues = jobs.openQueues({ redisUrl, prefix: jobs.queuePrefix(prefix) });
  try {
    const s = await jobs.nextScheduledRun(queues);
    return { schedule: s ? { pattern: s.pattern, timeZone: s.timeZone, next: s.next?.toISOString() ?? null } : null, queues: await jobs.queueCounts(queues) };
  } finally {
    await queues.close();
  }
}

function scheduleLine(q: QueueStatus): string {
  if (q.redisError) return `next scheduled run: unknown (${q.redisError})`;
  const counts = q.queues ? Object.entries(q.queues).map(([name, c]) => `${name}: ${c.active ?? 0} active, ${(c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0) + (c.delayed ?? 0)} waiting, ${c.failed ?? 0} failed`).join('; ') : '';
  const next = q.schedule ? (q.schedule.next ? `${q.schedule.next} ('${q.schedule.pattern}' in ${q.schedule.timeZone})` : `none ('${q.schedule.pattern}' has no next fire)`) : 'none (no schedule: run `beamline schedule`)';
  return `next scheduled run: ${next}\nqueues: ${counts}`;
}

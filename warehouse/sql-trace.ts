/**
 * BEAMLINE_SQL_TRACE (docs/operations.md, "Debugging a slow step"): a debugging aid, read once when the
 * module loads. `1`: each DuckDB statement's time and first 160 characters to stderr; `full`: the whole
 * statement. The runner marks where each step begins, so the statements after a mark are that step's.
 */
export const SQL_TRACE = process.env.BEAMLINE_SQL_TRACE === '1' || process.env.BEAMLINE_SQL_TRACE === 'full';
export const SQL_TRACE_FULL = process.env.BEAMLINE_SQL_TRACE === 'full';

/** `[step <name>]` on stderr when tracing: the statements traced after it are the step's. */
export function traceStep(name: string): void {
  if (SQL_TRACE) process.stderr.write(`[step ${name}]\n`);
}

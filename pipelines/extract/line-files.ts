/**
 * A source file as numbered lines in NDJSON, ready for a bulk load: one object per row of the file,
 * `{src_file, src_line, raw, doc}`. NDJSON: `raw` is the line's text and `doc` is absent (the line is
 * the document). CSV: `raw` is the record as a JSON object of the file's columns (what a reject shows)
 * and `doc` the JSON object of its contract fields (see record-docs.ts). Written as streamed, so a
 * file of any size passes through in constant memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { InputError } from '../../lib/errors.ts';
import type { ColumnSpec, FileFormat } from '../../warehouse/types.ts';
import { csvRecords } from './csv-records.ts';
import type { KindSpec } from './kind-spec.ts';
import { docBuilder } from './record-docs.ts';
import { textLines } from './text-lines.ts';

/** The lines table: which file of the batch (1-based), which line of it, the row's text, the fields as JSON (CSV). */
export const LINE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'src_file', type: 'bigint' }, { name: 'src_line', type: 'bigint' }, { name: 'raw', type: 'varchar' }, { name: 'doc', type: 'varchar' },
];

/** Writes file number `fileNo` (`path`, in `format`) to `out` as lines rows. Returns the rows written. Throws an InputError naming the file when it cannot be read. */
export async function writeLineRows(spec: KindSpec, path: string, format: FileFormat, fileNo: number, out: string): Promise<number> {
  if (format === 'parquet') throw new InputError(`cannot load ${path} as ${spec.kind}: Parquet files cannot be loaded on this warehouse yet (their rows have no line numbers here); convert it to NDJSON or CSV`);
  const stream = createWriteStream(out);
  const write = async (row: string) => {
    if (!stream.write(`${row}\n`)) await once(stream, 'drain');
  };
  let n = 0;
  try {
    const lines = textLines(path, spec.kind);
    if (format === 'ndjson') {
      for await (const raw of lines) await write(`{"src_file":${fileNo},"src_line":${++n},"raw":${JSON.stringify(raw)}}`);
    } else {
      const { columns, records } = await csvRecords(lines, path, spec.kind);
      const doc = docBuilder(spec, columns, path);
      for await (const r of records) {
        const raw: Record<string, string | null> = {};
        r.cells.forEach((c, i) => (raw[columns[i] ?? `column${i}`] = c));
        for (let i = r.cells.length; i < columns.length; i++) raw[columns[i]!] = null;
        await write(`{"src_file":${fileNo},"src_line":${r.line},"raw":${JSON.stringify(JSON.stringify(raw))},"doc":${JSON.stringify(doc(r.cells))}}`);
        n++;
      }
    }
  } finally {
    await close(stream);
  }
  return n;
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  if (!stream.closed) await once(stream, 'close');
}

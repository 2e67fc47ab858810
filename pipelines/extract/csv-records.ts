/**
 * CSV records from text lines, read the way DuckDB's reader reads them (so both warehouses number
 * and fill rows alike): a header row; the delimiter detected from it (`,` `|` `;` or tab — the one
 * that splits the header most); `"` quotes, `""` inside quotes for a quote; a quoted cell may span
 * lines; blank lines are skipped and not counted; an empty cell (quoted or not) is NULL; a short
 * record gets NULLs; cells beyond the header are named `column<i>` (i from 0).
 */
import { InputError } from '../../lib/errors.ts';

export type Cell = string | null;

export interface CsvRecord {
  /** 2 for the first record after the header: the header is line 1 (a record spanning lines counts once). */
  readonly line: number;
  readonly cells: readonly Cell[];
}

const DELIMITERS = [',', '|', ';', '\t'] as const;

/** The delimiter that splits `header` into the most cells outside quotes (`,` when none does). */
export function sniffDelimiter(header: string): string {
  let best: string = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    let n = 0;
    let quoted = false;
    for (const ch of header) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/** Splits one record's text; `undefined` when a quote is still open (the record goes on on the next line). */
export function splitRecord(text: string, delimiter: string): Cell[] | undefined {
  const cells: Cell[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return undefined;
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    }
    const end = text.indexOf(delimiter, i);
    cell += text.slice(i, end < 0 ? text.length : end);
    cells.push(cell === '' ? null : cell);
    if (end < 0) return cells;
    i = end + delimiter.length;
  }
}

/** The header's column names and the records after it. Throws an InputError naming the file for a header-less file or an unclosed quote. */
export async function csvRecords(lines: AsyncIterable<string>, path: string, kind: string): Promise<{ columns: string[]; records: AsyncGenerator<CsvRecord> }> {
  const it = lines[Symbol.asyncIterator]();
  let header: string | undefined;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    if (r.value.trim() !== '') {
      header = r.value.replace(/^\uFEFF/, '');
      break;
    }
  }
  if (header === undefined) throw new InputError(`cannot load ${path} as ${kind}: the CSV file has no header row`);
  const delimiter = sniffDelimiter(header);
  const names = splitRecord(header, delimiter);
  if (!names) throw new InputError(`cannot load ${path} as ${kind}: the CSV header has an unclosed quote`);
  const columns = names.map((n, i) => n ?? `column${i}`);
  async function* records(): AsyncGenerator<CsvRecord> {
    let line = 1;
    let pending: string | undefined;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const text = pending === undefined ? r.value : `${pending}\n${r.value}`;
      if (pending === undefined && text === '') continue;
      const cells = splitRecord(text, delimiter);
      if (cells === undefined) {
        pending = text;
        continue;
      }
      pending = undefined;
      yield { line: ++line, cells };
    }
    if (pending !== undefined) throw new InputError(`cannot load ${path} as ${kind}: a quoted cell of the record after line ${line} is never closed`);
  }
  return { columns, records: records() };
}

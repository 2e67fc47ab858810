/**
 * A local file's text, line by line, streamed: for warehouses that cannot read files themselves
 * (see `BulkLoadingWarehouse`), extract reads and numbers the lines in TypeScript. Lines end at
 * `\n` (a `\r` before it is dropped); the text after the last `\n`, when there is any, is the last
 * line. `.gz` files are decompressed on the fly. Text must be UTF-8; a byte-order mark is dropped.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../lib/errors.ts';

/** The longest line read (as DuckDB's reader: 8 MB), in UTF-16 code units. */
export const MAX_LINE = 8 * 1024 * 1024;

/** The file's lines, in order, without their line ends. Throws an InputError naming the file when it is not UTF-8 text or a line is too long. */
export async function* textLines(path: string, kind: string): AsyncGenerator<string> {
  if (/\.zst$/i.test(path)) throw new InputError(`cannot load ${path} as ${kind}: .zst files cannot be read on this warehouse (decompress it, or use .gz)`);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const bytes = /\.gz$/i.test(path) ? file.pipe(createGunzip()) : file;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let line = 0;
  const checked = (s: string) => {
    line++;
    if (s.length > MAX_LINE) throw new InputError(`cannot load ${path} as ${kind}: line ${line} is longer than 8 MB`);
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  try {
    for await (const chunk of bytes) {
      const text = rest + decoder.decode(chunk as Buffer, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        yield checked(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE) checked(rest);
    }
    rest += decoder.decode();
  } catch (err) {
    if (err instanceof InputError) throw err;
    const why = err instanceof TypeError && /encoded data was not valid/i.test(err.message) ? 'not UTF-8 text' : (err as Error).message;
    throw new InputError(`cannot read ${path} as ${kind}: ${why}`, { cause: err });
  } finally {
    file.destroy();
  }
  if (rest.length > 0) yield checked(rest);
}

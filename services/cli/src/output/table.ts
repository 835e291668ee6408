import Table from 'cli-table3';

// Borderless and colourless, like `kubectl get`: easy on people and on `grep`/`awk`.
const CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};
const STYLE = { head: [], border: [], 'padding-left': 0, 'padding-right': 0 };

function render(table: Table.Table): string {
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

/** Upper-case headers and one line per record; an empty list prints `empty` instead of a bare header. */
export function renderTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const table = new Table({ head: head.map((title) => title.toUpperCase()), chars: CHARS, style: STYLE });
  table.push(...rows.map((row) => [...row]));
  return render(table);
}

/** One record as `field:  value` lines. */
export function renderFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const table = new Table({ chars: CHARS, style: STYLE });
  table.push(...fields.map(([name, value]) => [`${name}:`, value]));
  return render(table);
}

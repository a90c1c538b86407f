// Plain-text tables for the console.

export type Cell = string | number | boolean | undefined;

const show = (v: Cell) => (v === undefined ? '-' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '-') : String(v));

export function printTable(title: string, rows: Record<string, Cell>[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => show(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(columns.map((c) => show(r[c]))));
}

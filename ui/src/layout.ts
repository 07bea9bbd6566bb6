/**
 * Layered left-to-right layout of a DAG: the plan's topological generations are the columns,
 * each column ordered by the barycentre of its neighbours (two sweeps) to cut crossings. Linear
 * in nodes and edges, so a 1,000-node plan lays out in milliseconds (ELK's layered algorithm is
 * better at crossings but takes seconds there and weighs 1.5 MB, more than report.html's budget).
 */
export const NODE_W = 200;
export const NODE_H = 46;
const COL = 330;
const ROW = 72;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly positions: ReadonlyMap<string, Point>;
  readonly width: number;
  readonly height: number;
}

export interface LayoutInput {
  readonly layers: readonly (readonly string[])[];
  readonly upstream: (node: string) => readonly string[];
  readonly downstream: (node: string) => readonly string[];
}

export function layoutDag(input: LayoutInput): Layout {
  const columns = input.layers.map((layer) => [...layer]);
  const rank = new Map<string, number>();
  const reindex = (col: string[]) => {
    col.forEach((n, i) => {
      rank.set(n, i / Math.max(1, col.length - 1));
    });
  };
  for (const col of columns) reindex(col);
  const sortBy = (col: string[], neighbours: (n: string) => readonly string[]) => {
    const key = new Map<string, number>();
    for (const n of col) {
      const ranks = neighbours(n)
        .map((m) => rank.get(m))
        .filter((r): r is number => r !== undefined);
      key.set(n, ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : (rank.get(n) ?? 0));
    }
    col.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
    reindex(col);
  };
  for (let i = 1; i < columns.length; i++) sortBy(columns[i]!, input.upstream);
  for (let i = columns.length - 2; i >= 0; i--) sortBy(columns[i]!, input.downstream);
  const tallest = columns.reduce((m, c) => Math.max(m, c.length), 1);
  const positions = new Map<string, Point>();
  columns.forEach((col, x) => {
    const offset = ((tallest - col.length) * ROW) / 2;
    col.forEach((n, y) => {
      positions.set(n, { x: x * COL, y: offset + y * ROW });
    });
  });
  return { positions, width: Math.max(1, columns.length) * COL - (COL - NODE_W), height: tallest * ROW };
}

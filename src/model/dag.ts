/** A pipeline DAG as read from a file: node names in declared order, edges in declared order. */
export interface Dag {
  /** Node names, unique, in declaration order (the order breaks ties in the topological sort). */
  readonly nodes: readonly string[];
  /** `[from, to]`: `from` runs before `to`. */
  readonly edges: readonly (readonly [string, string])[];
  /** The file the DAG came from, or null when it was given inline (plain dagtest.yaml). */
  readonly file: string | null;
  readonly description: string | null;
}

/**
 * Synthesized data: the recipe dagtest derives for a phantom's outputs from what the project says
 * about them. Plain data, part of the plan, so the plan and the report say which data is synthetic
 * and where each column came from; the same recipe always gives the same bytes.
 */

/** How a column's values are made. */
export type SynthColumnKind = "numeric" | "categorical" | "text" | "date" | "id" | "label";

export type SynthFormat = "csv" | "tsv" | "parquet";

export interface SynthColumn {
  /** The name downstream scripts select (`Abuse.n_claims`). */
  readonly name: string;
  /** The name written in the files and the signature (`Abuse__DOT__n_claims` when dots are not kept). */
  readonly fileName: string;
  readonly kind: SynthColumnKind;
  /** Why the column exists: `CradleDataLoading_training output_spec.output_schema`, `hyperparameters.json full_field_list`. */
  readonly source: string;
  /** Why it has its kind: `hyperparameters.json tab_field_list`, `data source RAW_MDS_NA field_type STRING`. */
  readonly kindSource: string;
  /** Share of rows left empty (realistic missing values); 0 for ids and labels. */
  readonly missing: number;
}

export interface SynthRecipe {
  readonly recipeVersion: 1;
  readonly node: string;
  readonly rows: number;
  readonly seed: number;
  readonly format: SynthFormat;
  readonly header: boolean;
  readonly parts: number;
  /** Where format, header and parts came from. */
  readonly layoutSource: string;
  readonly columns: readonly SynthColumn[];
  readonly label: {
    readonly name: string;
    readonly classes: readonly number[];
    readonly source: string;
  } | null;
  readonly id: { readonly name: string; readonly source: string } | null;
  /** First day of the date columns (`YYYY-MM-DD`) and the span in days. */
  readonly dates: { readonly start: string; readonly days: number };
}

/** A phantom's synthesized outputs, as the plan shows them. */
export interface SyntheticData {
  /** sha256 of the recipe: the data's identity (cache key). */
  readonly recipeHash: string;
  /** The output ports bound to synthesized data. */
  readonly ports: readonly string[];
  readonly recipe: SynthRecipe;
}

/**
 * The recipe of a phantom's synthesized data, derived purely from what the project says: columns
 * from the phantom's own config (`output_spec.output_schema`, its data sources' schemas), every
 * column a downstream script selects (field lists, label, id), each column's kind and the source of
 * that decision, and the layout (`output_format`, header, number of parts). Columns no source types
 * are returned apart: the plan asks the user about them.
 */
import type { SynthesizeSettings } from "../config/spec-schema.js";
import type { SynthColumn, SynthColumnKind, SynthFormat, SynthRecipe } from "../model/synth.js";
import { isObject } from "../util/guards.js";
import type { FieldFacts, Sourced } from "./facts.js";
import { hashString } from "./random.js";

export interface RecipeInput {
  readonly node: string;
  readonly settings: SynthesizeSettings;
  /** The phantom's effective config, or null when it has none. */
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly facts: FieldFacts;
}

export interface RecipeResult {
  readonly recipe: SynthRecipe;
  /** Columns with no kind anywhere in the project (generated as text until the user says). */
  readonly untyped: readonly string[];
}

const DOT = "__DOT__";

export function deriveRecipe(input: RecipeInput): RecipeResult {
  const { node, settings, config, facts } = input;
  const schema = sourceSchema(config);
  const names = new Map<string, string>();
  for (const c of declaredColumns(node, config, schema))
    if (!names.has(c.value)) names.set(c.value, c.source);
  // Columns only the downstream steps name: id first and label last, as exports usually are
  // (and as scripts that take the first column for the id expect).
  const rank = (name: string) => (name === facts.id?.value ? 0 : name === facts.label?.value ? 2 : 1);
  const extra = facts.required.filter((c) => !names.has(c.value));
  for (const c of [...extra].sort((a, b) => rank(a.value) - rank(b.value))) names.set(c.value, c.source);
  for (const name of Object.keys(settings.columns ?? {}))
    if (!names.has(name)) names.set(name, `dagtest.yaml nodes.${node} synthesize.columns`);
  const keepDot = outputSpec(config)?.keep_dot_in_output_schema !== false;
  const untyped: string[] = [];
  const columns: SynthColumn[] = [...names].map(([name, source]) => {
    const kind = kindOf(name, node, settings, facts, schema);
    if (!kind) untyped.push(name);
    const k = kind?.value ?? "text";
    return {
      name,
      fileName: keepDot || !outputSpec(config) ? name : name.replaceAll(".", DOT),
      kind: k,
      source,
      kindSource: kind?.source ?? "no type anywhere: generated as text (say its kind in synthesize.columns)",
      missing: missingShare(name, k),
    };
  });
  const layout = layoutOf(node, config);
  return {
    recipe: {
      recipeVersion: 1,
      node,
      rows: settings.rows,
      seed: settings.seed,
      ...layout,
      parts: Math.max(1, Math.min(layout.parts, Math.floor(settings.rows / 10))),
      columns,
      label: facts.label
        ? {
            name: facts.label.value,
            classes: facts.classes?.value ?? [0, 1],
            source: facts.label.source + (facts.classes ? `; classes from ${facts.classes.source}` : ""),
          }
        : null,
      id: facts.id ? { name: facts.id.value, source: facts.id.source } : null,
      dates: dateRange(config),
    },
    untyped,
  };
}

function kindOf(
  name: string,
  node: string,
  settings: SynthesizeSettings,
  facts: FieldFacts,
  schema: ReadonlyMap<string, Sourced<string>>,
): Sourced<SynthColumnKind> | null {
  const user = settings.columns?.[name];
  if (user) return { value: user, source: `dagtest.yaml nodes.${node} synthesize.columns` };
  if (facts.label?.value === name) return { value: "label", source: facts.label.source };
  if (facts.id?.value === name) return { value: "id", source: facts.id.source };
  const listed = facts.kinds.get(name);
  if (listed) return listed;
  const typed = schema.get(name);
  if (!typed) return null;
  const t = typed.value.toUpperCase();
  const why = `${typed.source} field_type ${typed.value}`;
  if (/DATE|TIMESTAMP/.test(t)) return { value: "date", source: why };
  if (/INT|LONG|DOUBLE|FLOAT|DECIMAL|NUMERIC|NUMBER|REAL/.test(t)) return { value: "numeric", source: why };
  if (/BOOL/.test(t)) return { value: "categorical", source: why };
  if (/date|_dt$|timestamp/i.test(name)) return { value: "date", source: `${why}, named like a date` };
  return { value: "text", source: why };
}

function outputSpec(config: RecipeInput["config"]): Record<string, unknown> | null {
  return isObject(config?.output_spec) ? config.output_spec : null;
}

/** `output_spec.output_schema`, else the data sources' fields in order. */
function declaredColumns(
  node: string,
  config: RecipeInput["config"],
  schema: ReadonlyMap<string, Sourced<string>>,
): Sourced<string>[] {
  const listed = outputSpec(config)?.output_schema;
  if (Array.isArray(listed) && listed.length > 0) {
    return listed.flatMap((item) => {
      const name = typeof item === "string" ? item : isObject(item) ? item.field_name : null;
      return typeof name === "string" ? [{ value: name, source: `${node} output_spec.output_schema` }] : [];
    });
  }
  return [...schema.keys()].map((name) => ({ value: name, source: schema.get(name)!.source }));
}

/** Field name → declared type, from every data source of a Cradle config (MDS schemas, EDX overrides). */
function sourceSchema(config: RecipeInput["config"]): Map<string, Sourced<string>> {
  const out = new Map<string, Sourced<string>>();
  const spec = isObject(config?.data_sources_spec) ? config.data_sources_spec : {};
  const sources = Array.isArray(spec.data_sources) ? spec.data_sources : [];
  for (const src of sources) {
    if (!isObject(src)) continue;
    const name = typeof src.data_source_name === "string" ? src.data_source_name : "?";
    for (const [key, props] of Object.entries(src)) {
      if (!key.endsWith("_properties") || !isObject(props)) continue;
      for (const field of fieldList(props.output_schema ?? props.schema_overrides)) {
        if (!out.has(field.field_name))
          out.set(field.field_name, { value: field.field_type, source: `data source ${name}` });
      }
    }
  }
  return out;
}

/** A list of `{field_name, field_type}`; cursus sometimes stores it as a Python repr string. */
function fieldList(value: unknown): { field_name: string; field_type: string }[] {
  let list = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value.replaceAll("'", '"'));
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.flatMap((f) =>
    isObject(f) && typeof f.field_name === "string"
      ? [{ field_name: f.field_name, field_type: typeof f.field_type === "string" ? f.field_type : "STRING" }]
      : [],
  );
}

function layoutOf(
  node: string,
  config: RecipeInput["config"],
): { format: SynthFormat; header: boolean; parts: number; layoutSource: string } {
  const spec = outputSpec(config);
  if (!spec)
    return { format: "csv", header: true, parts: 1, layoutSource: "dagtest default (no output_spec)" };
  const given = typeof spec.output_format === "string" ? spec.output_format.toLowerCase() : "csv";
  const format: SynthFormat = given === "parquet" ? "parquet" : given === "tsv" ? "tsv" : "csv";
  const count = typeof spec.output_file_count === "number" ? spec.output_file_count : 0;
  return {
    format,
    header: spec.include_header_in_s3_output !== false,
    // 0 lets Spark decide; two parts exercise the scripts' shard handling.
    parts: count > 0 ? count : 2,
    layoutSource: `${node} output_spec (output_format, include_header_in_s3_output, output_file_count)`,
  };
}

function dateRange(config: RecipeInput["config"]): { start: string; days: number } {
  const spec = isObject(config?.data_sources_spec) ? config.data_sources_spec : {};
  const start = Date.parse(String(spec.start_date ?? ""));
  const end = Date.parse(String(spec.end_date ?? ""));
  if (Number.isNaN(start)) return { start: "2025-01-01", days: 90 };
  const days = Number.isNaN(end) ? 90 : Math.max(1, Math.round((end - start) / 86_400_000));
  return { start: new Date(start).toISOString().slice(0, 10), days };
}

/** A realistic share of missing values in about a third of the feature columns, fixed by the name. */
function missingShare(name: string, kind: SynthColumnKind): number {
  if (kind === "id" || kind === "label") return 0;
  const h = hashString(name);
  return h % 10 < 3 ? ([0.05, 0.1, 0.2][h % 3] ?? 0) : 0;
}

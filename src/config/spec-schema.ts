/**
 * The schema of `dagtest.yaml`, the saved test spec. One zod schema gives the TypeScript type,
 * the runtime validation (with the YAML line of every problem) and the JSON Schema shipped in
 * `schema/dagtest.schema.json` (a test keeps that file equal to `specJsonSchema()`).
 */
import { z } from "zod";
import { registerSpecSchema } from "./spec-schema-ref.js";

const nodeName = z.string().min(1);
const pathString = z.string().min(1);
const envMap = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .describe("Environment variables; values are passed to the script as strings.");
const jobArgs = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .describe("Job arguments by argparse attribute name (`job_type`), or by flag (`--job_type`).");

const plainInput = z.union([
  z.strictObject({
    required: z.boolean().default(true),
    type: z.string().optional(),
    channels: z.array(z.string()).optional(),
    description: z.string().optional(),
  }),
  z.null(),
]);

const plainNode = z
  .strictObject({
    script: pathString.describe("The Python script (relative to this file)."),
    inputs: z.union([z.array(z.string()), z.record(z.string(), plainInput)]).default([]),
    outputs: z
      .union([
        z.array(z.string()),
        z.record(z.string(), z.strictObject({ aliases: z.array(z.string()).optional() }).nullable()),
      ])
      .default([]),
    env: envMap.optional(),
    job_args: jobArgs.optional(),
    requirements: z
      .record(z.string(), z.string())
      .optional()
      .describe("Package → version spec, checked against the interpreter."),
    description: z.string().optional(),
  })
  .describe("A node of a plain (non-cursus) pipeline.");

const plainPipeline = z
  .strictObject({
    description: z.string().optional(),
    nodes: z.record(nodeName, plainNode),
    edges: z
      .array(z.union([z.tuple([nodeName, nodeName]), z.strictObject({ from: nodeName, to: nodeName })]))
      .default([]),
  })
  .describe("A pipeline written directly in dagtest.yaml, for projects that do not use cursus.");

const portMap = z.record(z.string(), pathString);

const columnKind = z
  .enum(["numeric", "categorical", "text", "date", "id", "label"])
  .describe("How a synthesized column's values are made.");

export const synthesizeSettings = z
  .strictObject({
    rows: z.number().int().min(10).max(10_000_000).default(500).describe("Rows to generate."),
    seed: z.number().int().default(1).describe("Same recipe and seed, same bytes."),
    columns: z
      .record(z.string(), columnKind)
      .optional()
      .describe("Column → kind, for columns the project gives no type anywhere (or to override one)."),
  })
  .describe("Generate the data this phantom output would hold, from what the config says about it.");

const phantomOutput = z.union([
  pathString,
  z.strictObject({ synthesize: synthesizeSettings }).describe("Synthesized data instead of a path."),
]);

const isolation = z
  .enum(["fork", "process"])
  .describe(
    "`fork`: a child of the warm fork server that preloaded the scripts' imports (fast; Linux). " +
      "`process`: a fresh Python interpreter per node.",
  );

const nodeSettings = z
  .strictObject({
    config: z.string().optional().describe("The config entry (configuration.specific key) for this node."),
    step_type: z.string().optional().describe("The step type, when the node name does not start with it."),
    script: pathString.optional().describe("The script file, overriding discovery."),
    inputs: portMap.optional().describe("Input port → a folder or file supplied by the user."),
    outputs: z
      .record(z.string(), phantomOutput)
      .optional()
      .describe(
        "For a phantom node: output port → where its data already is, or `{synthesize: {rows, seed}}`.",
      ),
    env: envMap.optional(),
    job_args: jobArgs.optional(),
    skip: z.boolean().optional().describe("Never run this node; treat it as a phantom."),
    timeout: z
      .number()
      .positive()
      .optional()
      .describe("Seconds before the node is stopped (SIGTERM, then SIGKILL)."),
    memory_mb: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Address-space limit of the node's process, in MiB."),
    isolation: isolation.optional().describe("`process`: always run this node in a fresh interpreter."),
    num_cpus: z
      .number()
      .nonnegative()
      .optional()
      .describe("With `executor: ray`: the CPUs the node's Ray task asks for (default 1)."),
    num_gpus: z
      .number()
      .nonnegative()
      .optional()
      .describe("With `executor: ray`: the GPUs the node's Ray task asks for (default 0)."),
    resources: z
      .record(z.string().min(1), z.number().nonnegative())
      .optional()
      .describe("With `executor: ray`: custom Ray resources the node's task asks for, e.g. {big_disk: 1}."),
  })
  .describe("Per-node decisions of the user.");

const ray = z
  .strictObject({
    address: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The cluster: HOST:PORT of its head (GCS), `ray://HOST:PORT`, or `auto` (default: RAY_ADDRESS).",
      ),
    shared_dir: pathString
      .optional()
      .describe(
        "A folder every worker sees at the same path: run folders and scripts under it are passed by path instead of shipped as bytes.",
      ),
    python: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The interpreter (with `ray` installed) that runs dagtest's Ray driver (default: the scripts' Python).",
      ),
  })
  .describe("Where and how `executor: ray` runs the nodes.");

const wire = z
  .strictObject({
    from: z
      .string()
      .regex(/^[^.]+\.[^.]+$/, "write the producer as <node>.<output port>")
      .nullable(),
    to: z.string().regex(/^[^.]+\.[^.]+$/, "write the consumer as <node>.<input port>"),
  })
  .describe("A wire override: `from: null` leaves the input unwired (the user supplies it).");

const guards = z
  .strictObject({
    block_pip_install: z
      .boolean()
      .default(true)
      .describe("Turn `pip install` calls made by scripts into logged no-ops."),
    stub_modules: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a top-level module name"))
      .default([])
      .describe("Modules replaced by stubs that import fine and fail loudly when used (e.g. boto3)."),
    fresh_workdir: z
      .boolean()
      .default(true)
      .describe("Give every node a fresh WORKING_DIRECTORY and TMPDIR."),
  })
  .describe("Offline guards, on by default.");

const execution = z
  .strictObject({
    timeout: z.number().positive().default(600).describe("Default per-node timeout in seconds."),
    memory_mb: z.number().int().positive().optional().describe("Default per-node memory limit in MiB."),
    max_log_mb: z
      .number()
      .positive()
      .default(10)
      .describe("Per-node cap on each of stdout and stderr, in MiB."),
    guards: guards.default({ block_pip_install: true, stub_modules: [], fresh_workdir: true }),
    isolation: isolation.default("fork"),
    executor: z
      .enum(["local", "ray"])
      .default("local")
      .describe(
        "`local`: this machine (fork server or processes); `ray`: one Ray task per node on a cluster.",
      ),
    ray: ray.optional(),
    preload: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "a module name"))
      .default([])
      .describe("Modules the fork server imports once, besides the installed packages the scripts import."),
    seed: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "Passed to every node as DAGTEST_SEED; the runner seeds Python's random, NumPy and the ML libraries the script imported before main.",
      ),
    sample: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Cut each user-supplied dataset to this many rows (stratified by the label) before any script sees it.",
      ),
    sample_seed: z.number().int().default(1).describe("Seed of the sampling."),
    keep_warm: z
      .union([z.boolean(), z.number().positive()])
      .default(true)
      .describe(
        "Keep the warm fork server running between commands, so the next `dagtest run` forks at once: " +
          "true stops it after 300 s without a job, a number after that many seconds; false starts one per command.",
      ),
    cache: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("Reuse the outputs of a node whose fingerprint is unchanged."),
        max_mb: z
          .number()
          .positive()
          .default(2048)
          .describe("Size cap; least recently used entries go first."),
      })
      .default({ enabled: true, max_mb: 2048 }),
  })
  .describe("How scripts run.");

const tolerances = {
  rel_tol: z
    .number()
    .min(0)
    .optional()
    .describe("Relative tolerance for numbers: |got - expected| <= max(abs_tol, rel_tol * |expected|)."),
  abs_tol: z.number().min(0).optional().describe("Absolute tolerance for numbers."),
  ignore: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "Not compared: `port/file` globs, `port/file#column`, or `port/file#/json/pointer` (paths inside the node's outputs).",
    ),
};

const snapshots = z
  .strictObject({
    ...tolerances,
    nodes: z
      .record(
        nodeName,
        z
          .strictObject({
            ...tolerances,
            skip: z.boolean().optional().describe("Take no snapshot of this node."),
          })
          .describe("This node's tolerances; its `ignore` adds to the global list."),
      )
      .optional(),
  })
  .describe("Snapshot tests of the outputs (dagtest.snap.json next to this file).");

export const specSchema = z
  .strictObject({
    version: z.literal(1).describe("Format version of this file."),
    dag: pathString
      .optional()
      .describe("The pipeline DAG (cursus *.dag.json, or plain {nodes, edges} JSON/YAML)."),
    config: pathString.optional().describe("The cursus pipeline config JSON."),
    interfaces: z.array(pathString).optional().describe("Step interface search roots; earlier roots win."),
    scripts: z.array(pathString).optional().describe("Extra folders to search for scripts."),
    project_root: pathString
      .optional()
      .describe("The deployed project root that config source dirs are relative to."),
    paths: z
      .record(z.string(), pathString)
      .optional()
      .describe("Remap config source dirs: prefix as written in the config → local folder."),
    python: z.string().min(1).optional().describe("The Python interpreter that runs the scripts."),
    pipeline: plainPipeline.optional(),
    nodes: z.record(nodeName, nodeSettings).optional(),
    wires: z.array(wire).optional(),
    run: execution.optional(),
    snapshots: snapshots.optional(),
  })
  .refine((spec) => (spec.dag === undefined) !== (spec.pipeline === undefined), {
    message: "give either `dag:` (a DAG file) or `pipeline:` (a plain pipeline), not both or neither",
  })
  .describe("dagtest.yaml: the saved test spec.");

export type Spec = z.infer<typeof specSchema>;

export type PlainNode = z.infer<typeof plainNode>;
export type NodeSettings = z.infer<typeof nodeSettings>;
export type WireOverride = z.infer<typeof wire>;
export type ExecutionSettings = z.infer<typeof execution>;
export type SnapshotSpec = z.infer<typeof snapshots>;
export type SynthesizeSettings = z.infer<typeof synthesizeSettings>;
export type ColumnKind = z.infer<typeof columnKind>;

/** The execution settings of a spec with every default applied. */
export function executionDefaults(given: unknown): ExecutionSettings {
  return execution.parse(given ?? {});
}

// Whoever loads this module makes the schema available to spec validation (spec-schema-ref.ts).
registerSpecSchema({ specSchema, executionDefaults });

/** The JSON Schema of dagtest.yaml, as shipped in `schema/dagtest.schema.json`. */
export function specJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://dagtest.dev/schema/dagtest.schema.json",
    title: "dagtest.yaml",
    ...z.toJSONSchema(specSchema, { io: "input", unrepresentable: "any" }),
  };
}

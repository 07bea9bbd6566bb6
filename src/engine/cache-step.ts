/**
 * The cache and partial runs, as seen by the engine: before a node runs, restore its outputs from
 * the cache (same fingerprint) or, for a node left out of a partial run, from the last run that
 * produced them; after it passes, store its outputs.
 */
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { explainChange, type Fingerprint } from "../cache/fingerprint.js";
import type { CacheEntry, NodeCache } from "../cache/store.js";
import { DagtestError } from "../errors.js";
import type { PortRef, ScriptNode } from "../model/plan.js";
import type { DataFlowResult, DataProfile, ScriptResult } from "../model/run.js";
import { nodePaths } from "./jobs.js";
import { notRun } from "./results.js";
import { previousOutputs } from "./reuse.js";

export interface CacheStepOptions {
  readonly cache: NodeCache | null;
  /** Nodes that run even when their fingerprint is cached. */
  readonly force: ReadonlySet<string>;
  /** Nodes chosen by --only/--from/--to, or null for all. */
  readonly selected: ReadonlySet<string> | null;
  readonly stateDir: string;
}

export class CacheStep {
  readonly #options: CacheStepOptions;
  /** Cache hits not yet copied into the run folder: node → entry and the run's output folders. */
  readonly #pending = new Map<string, { entry: CacheEntry; outputs: Record<string, string> }>();
  readonly #fingerprints: ReadonlyMap<string, Fingerprint>;
  readonly #runDir: string;
  readonly #runId: string;
  /**
   * Nodes whose outputs in this run need not match their fingerprint: reused from an earlier run
   * by a partial run (that run may have had other code or data), or computed from such outputs.
   * Storing them under the current fingerprint would hand stale results to later runs.
   */
  readonly #stale = new Set<string>();
  /** Entries read this run, by fingerprint: the guess before the run and the restore read one. */
  readonly #read = new Map<string, CacheEntry | null>();

  constructor(
    options: CacheStepOptions,
    fingerprints: ReadonlyMap<string, Fingerprint>,
    runDir: string,
    runId: string,
  ) {
    this.#options = options;
    this.#fingerprints = fingerprints;
    this.#runDir = runDir;
    this.#runId = runId;
  }

  /** Nodes a partial run must not run but whose outputs it needs; throws when some have none. */
  checkPartialRun(needed: readonly string[], command: string): void {
    const missing = needed.filter((node) => !this.#hasStoredOutputs(node));
    if (missing.length === 0) return;
    throw new DagtestError({
      code: "DAGTEST_UPSTREAM_MISSING",
      message: `The selected nodes need the outputs of ${missing.join(", ")}, which no earlier run or cache entry has.`,
      hint: `Run them first: \`${command} --to ${missing.join(",")}\` (or run without --only/--from).`,
    });
  }

  #hasStoredOutputs(node: string): boolean {
    const fp = this.#fingerprints.get(node);
    if (fp?.cacheable && this.#entry(fp.hash)) return true;
    return previousOutputs(this.#options.stateDir, node, this.#runId) !== null;
  }

  /**
   * A quick guess, before anything runs, that the node will not run: it is left out of a partial
   * run, or the cache has an entry for its fingerprint (not yet verified). The run uses it to
   * start the warm server early only when some node will need it.
   */
  likelyRestored(node: ScriptNode): boolean {
    if (this.#options.selected !== null && !this.#options.selected.has(node.name)) return true;
    const fp = this.#fingerprints.get(node.name);
    const cache = this.#options.cache;
    return Boolean(cache && fp?.cacheable && !this.#options.force.has(node.name) && this.#entry(fp.hash));
  }

  #entry(fingerprint: string): CacheEntry | null {
    let entry = this.#read.get(fingerprint);
    if (entry === undefined) {
      entry = this.#options.cache?.get(fingerprint) ?? null;
      this.#read.set(fingerprint, entry);
    }
    return entry;
  }

  /** A `cached` result when the node's outputs could be restored, else null (and why it must run). */
  tryRestore(node: ScriptNode): { result: ScriptResult | null; ranBecause: string[] } {
    const fp = this.#fingerprints.get(node.name);
    const outputs = this.#outputDirs(node);
    const cache = this.#options.cache;
    const notSelected = this.#options.selected !== null && !this.#options.selected.has(node.name);
    if (cache && fp?.cacheable && !this.#options.force.has(node.name)) {
      const entry = this.#entry(fp.hash);
      if (entry) {
        // Verified here, whatever the guess before the run read: a damaged entry is discarded.
        const restored = cache.verify(entry, Object.keys(outputs));
        if (restored.ok) {
          cache.remember(node.name, fp.data);
          // Copied into the run folder only when a node that runs reads them (materialize):
          // an unchanged rerun copies nothing.
          this.#pending.set(node.name, { entry, outputs });
          const stored = Object.fromEntries(
            Object.keys(outputs).map((port) => [port, cache.storedPort(entry, port)]),
          );
          return {
            result: notRun(node.name, "cached", null, `cached: unchanged since ${entry.createdAt}`, stored),
            ranBecause: [],
          };
        }
        if (!notSelected) return { result: null, ranBecause: [restored.reason] };
      } else if (!notSelected) {
        return { result: null, ranBecause: explainChange(cache.lastData(node.name), fp.data) };
      }
    }
    if (notSelected) {
      const reused = this.#reusePrevious(node, outputs);
      if (reused) return { result: reused, ranBecause: [] };
    }
    if (this.#options.force.has(node.name)) return { result: null, ranBecause: ["--force"] };
    if (fp && !fp.cacheable) return { result: null, ranBecause: [`not cached: ${fp.reason}`] };
    return { result: null, ranBecause: [] };
  }

  /** A node left out of a partial run: its outputs copied from the last run that made them. */
  #reusePrevious(node: ScriptNode, outputs: Readonly<Record<string, string>>): ScriptResult | null {
    const previous = previousOutputs(this.#options.stateDir, node.name, this.#runId);
    if (!previous) return null;
    for (const [port, dir] of Object.entries(outputs)) {
      rmSync(dir, { recursive: true, force: true });
      const from = previous.outputs[port];
      if (from) cpSync(from, dir, { recursive: true });
      else mkdirSync(dir, { recursive: true });
    }
    this.#stale.add(node.name);
    return notRun(
      node.name,
      "cached",
      null,
      `not selected: outputs reused from run ${previous.runId}`,
      outputs,
    );
  }

  /**
   * Copy the cached outputs this node reads into the run folder, where its job points. Returns
   * why a copy failed (the entry vanished under a concurrent clean), or null.
   */
  materializeInputsOf(node: ScriptNode): string | null {
    const cache = this.#options.cache;
    for (const input of node.inputs) {
      if (input.provision.kind !== "wire" || !cache) continue;
      const producer = input.provision.from.node;
      const pending = this.#pending.get(producer);
      if (!pending) continue;
      this.#pending.delete(producer);
      const copied = cache.copyOut(pending.entry, pending.outputs);
      if (!copied.ok) return `the cached outputs of ${producer} could not be restored: ${copied.reason}`;
    }
    return null;
  }

  /** Where an upstream output's data is now: in the cache for a node restored lazily, else null. */
  cachedOutput(ref: PortRef): string | null {
    const pending = this.#pending.get(ref.node);
    return pending && this.#options.cache ? this.#options.cache.storedPort(pending.entry, ref.port) : null;
  }

  /** What a restored node's port held when it was stored (its edge's profile), or null. */
  cachedProfile(ref: PortRef): DataProfile | null {
    return this.#pending.get(ref.node)?.entry.profiles?.[ref.port] ?? null;
  }

  /**
   * How to store a passed node's outputs under its fingerprint, with the profiles its edges got
   * (`flows`), or null when they are not to be stored (not passed, not cacheable, or derived
   * from stale ones). Decided now, done later: the copy may run while the next node does (its
   * consumers read their own copies, never these).
   */
  store(node: ScriptNode, result: ScriptResult, flows: readonly DataFlowResult[]): (() => void) | null {
    if (node.upstream.some((u) => this.#stale.has(u))) {
      this.#stale.add(node.name);
      return null;
    }
    const fp = this.#fingerprints.get(node.name);
    const cache = this.#options.cache;
    if (!cache || !fp?.cacheable || result.status !== "passed") return null;
    const profiles: Record<string, DataProfile> = {};
    for (const { from, files, bytes, rows, columns, formats } of flows)
      if (from.node === node.name) profiles[from.port] = { files, bytes, rows, columns, formats };
    return () => cache.put(fp.hash, node.name, fp.data, result.outputs, result.durationMs, profiles);
  }

  /**
   * Check a node's freshly stored entry again once its files' timestamps have settled, so the
   * next run trusts their stamps instead of hashing them (see cache/stamp.ts). Off the node's path.
   */
  settle(node: ScriptNode): void {
    const fp = this.#fingerprints.get(node.name);
    const cache = this.#options.cache;
    const entry = fp?.cacheable && cache ? cache.get(fp.hash) : null;
    if (entry && cache) cache.verify(entry, entry.ports);
  }

  #outputDirs(node: ScriptNode): Record<string, string> {
    const base = nodePaths(this.#runDir, node.name).outputs;
    return Object.fromEntries(node.outputs.map((o) => [o.name, `${base}/${o.name}`]));
  }
}

/** A plain dagtest.yaml node, seen through the same `StepInterface` shape as a cursus step. */
import path from "node:path";
import type { PlainNode } from "../config/spec-schema.js";
import type { DependencyType, InterfaceInput, InterfaceOutput, StepInterface } from "../model/interface.js";

const TYPES = new Set<DependencyType>([
  "model_artifacts",
  "processing_output",
  "training_data",
  "hyperparameters",
  "payload_samples",
  "custom_property",
]);

export function plainInterface(name: string, node: PlainNode, specFile: string): StepInterface {
  return {
    stepType: name,
    file: specFile,
    variant: null,
    nodeType: null,
    sagemakerStepType: "Processing",
    registryRequires: null,
    configClass: "",
    computeKind: null,
    entryPoint: path.basename(node.script),
    inputs: plainInputs(node),
    outputs: plainOutputs(node),
    jobArguments: [],
    envRequired: [],
    envOptional: {},
    frameworkRequirements: node.requirements ?? {},
    runtimeRequires: [],
    needsSourceDir: false,
    sink: false,
    description: node.description ?? "",
  };
}

function plainInputs(node: PlainNode): InterfaceInput[] {
  const entries = Array.isArray(node.inputs)
    ? node.inputs.map((n) => [n, null] as const)
    : Object.entries(node.inputs);
  return entries.map(([name, decl]) => ({
    name,
    containerPath: null,
    required: decl?.required ?? true,
    channels: decl?.channels ?? [],
    type: TYPES.has(decl?.type as DependencyType) ? (decl?.type as DependencyType) : "processing_output",
    dataType: "S3Uri",
    compatibleSources: [],
    semanticKeywords: [],
    configSource: null,
    skipped: false,
  }));
}

function plainOutputs(node: PlainNode): InterfaceOutput[] {
  const entries = Array.isArray(node.outputs)
    ? node.outputs.map((n) => [n, null] as const)
    : Object.entries(node.outputs);
  return entries.map(([name, decl]) => ({
    name,
    containerPath: null,
    type: "processing_output",
    dataType: "S3Uri",
    aliases: decl?.aliases ?? [],
    semanticKeywords: [],
  }));
}

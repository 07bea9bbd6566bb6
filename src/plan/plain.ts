/** A plain dagtest.yaml node, seen through the same `StepInterface` shape as a cursus step. */
import path from "node:path";
import type { PlainNode } from "../config/spec-schema.js";
import {
  asDependencyType,
  type InterfaceInput,
  type InterfaceOutput,
  type StepInterface,
} from "../model/interface.js";

/** Ports written as a list of names or as a map of name → declaration (or null). */
function portEntries<T>(
  ports: readonly string[] | Readonly<Record<string, T | null>>,
): (readonly [string, T | null])[] {
  return Array.isArray(ports)
    ? ports.map((n) => [n, null] as const)
    : Object.entries(ports as Record<string, T | null>);
}

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
  return portEntries(node.inputs).map(([name, decl]) => ({
    name,
    containerPath: null,
    required: decl?.required ?? true,
    channels: decl?.channels ?? [],
    type: asDependencyType(decl?.type),
    dataType: "S3Uri",
    compatibleSources: [],
    semanticKeywords: [],
    configSource: null,
    skipped: false,
  }));
}

function plainOutputs(node: PlainNode): InterfaceOutput[] {
  return portEntries(node.outputs).map(([name, decl]) => ({
    name,
    containerPath: null,
    type: "processing_output",
    dataType: "S3Uri",
    aliases: decl?.aliases ?? [],
    semanticKeywords: [],
  }));
}

/**
 * The configure form of a node: its open questions and its overrides (a phantom's data, a
 * script's inputs nobody feeds, env vars and job args), validated through the factory on every
 * keystroke, saved to dagtest.yaml by the server (comments and order kept).
 */
import type { Api, NodeConfiguration, PlanNode, UiState, ValidateResponse } from "./api.js";
import { h } from "./dom.js";
import { section } from "./panel.js";

type Group = keyof NodeConfiguration;

interface Field {
  readonly group: Group;
  readonly name: string;
  readonly label: string;
  readonly value: string;
}

export function configureForm(
  api: Api,
  node: PlanNode,
  questions: UiState["plan"]["questions"],
  onSaved: (state: UiState) => void,
): HTMLElement {
  const fields = fieldsOf(node, questions);
  const inputs = new Map<Field, HTMLInputElement>();
  const issues = h("ul", { class: "issues", "data-testid": "form-issues" });
  const save = h("button", { type: "submit", "data-testid": "form-save" }, "Save to dagtest.yaml");
  const status = h("span", { class: "muted", "data-testid": "form-status" });
  const config = () => readConfig(inputs);
  let asked = 0;
  const validate = async () => {
    const mine = ++asked;
    const response = await api.post<ValidateResponse>("/api/validate", { node: node.name, config: config() });
    if (mine !== asked) return; // a later keystroke's answer is the one to show
    issues.replaceChildren(
      ...response.issues.map((i) => h("li", {}, i.message, h("br"), h("small", {}, i.hint))),
    );
    save.toggleAttribute("disabled", response.issues.length > 0);
  };
  const form = h("form", { class: "configure", "data-testid": "configure-form" });
  for (const f of fields) {
    const input = h("input", {
      value: f.value,
      placeholder: "path or value",
      "data-field": `${f.group}.${f.name}`,
    });
    input.addEventListener(
      "input",
      () => void validate().catch((e: Error) => (status.textContent = e.message)),
    );
    inputs.set(f, input);
    form.append(h("label", {}, h("span", {}, f.label), input));
  }
  form.append(issues, save, status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    api
      .post<UiState>("/api/configure", { node: node.name, config: config() })
      .then((state) => {
        status.textContent = "saved";
        onSaved(state);
      })
      .catch((err: Error) => {
        status.textContent = err.message;
      });
  });
  return section("Configure", fields.length ? form : h("p", { class: "muted" }, "nothing to configure"));
}

/** What the form says, as the factory takes it: only the fields that differ from what is there. */
function readConfig(inputs: ReadonlyMap<Field, HTMLInputElement>): NodeConfiguration {
  const out: Record<Group, Record<string, string>> = { inputs: {}, outputs: {}, env: {}, jobArgs: {} };
  for (const [f, input] of inputs)
    if (input.value !== f.value && input.value !== "") out[f.group][f.name] = input.value;
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => Object.keys(v).length),
  ) as NodeConfiguration;
}

function fieldsOf(node: PlanNode, questions: UiState["plan"]["questions"]): Field[] {
  const open = questions.filter((q) => q.node === node.name);
  const asked: Field[] = open.map((q) => ({
    group:
      q.kind === "phantom-output"
        ? "outputs"
        : q.kind === "input"
          ? "inputs"
          : q.kind === "env"
            ? "env"
            : "jobArgs",
    name: q.name,
    label: `${q.name}: ${q.message}`,
    value: "",
  }));
  const has = (g: Group, n: string) => asked.some((f) => f.group === g && f.name === n);
  if (node.kind === "phantom") {
    const supplied = Object.entries(node.suppliedOutputs).filter(([port]) => !has("outputs", port));
    return [
      ...asked,
      ...supplied.map(([port, v]) => ({
        group: "outputs" as const,
        name: port,
        label: `${port} (data)`,
        value: v ?? "",
      })),
    ];
  }
  const env = node.env.filter((e) => !has("env", e.name) && e.source?.kind !== "engine");
  return [
    ...asked,
    ...env.map((e) => ({
      group: "env" as const,
      name: e.name,
      label: `env ${e.name}`,
      value: e.value ?? "",
    })),
    ...node.jobArgs
      .filter((a) => !has("jobArgs", a.attr))
      .map((a) => ({
        group: "jobArgs" as const,
        name: a.attr,
        label: `arg ${a.flag}`,
        value: a.value ?? "",
      })),
  ];
}

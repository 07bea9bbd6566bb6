/** A cursus pipeline config after loading: `{...shared, ...specific[node]}` gives a node's effective config. */
export interface PipelineConfig {
  readonly file: string;
  readonly shared: Readonly<Record<string, unknown>>;
  readonly specific: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `metadata.config_types`: step name → config class name. */
  readonly configTypes: Readonly<Record<string, string>>;
}

/** How a node found its config entry. */
export type ConfigRule = "exact-key" | "config-types";

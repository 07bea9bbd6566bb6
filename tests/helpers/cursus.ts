/** Facts about the real cursus pipelines that more than one test file checks against. */

/** cursus `shared_dags/xgboost/complete_e2e.dag.json`, and the order cursus itself gives it. */
export const xgboostCompleteE2e: {
  /** Node names in the file's order. */
  readonly nodes: string[];
  /** Edges in the file's order. */
  readonly edges: [string, string][];
  /** The order cursus's PipelineDAG gives: cursus-formats.md §1.3, checked there by running cursus. */
  readonly cursusOrder: readonly string[];
} = {
  nodes: [
    "CradleDataLoading_training",
    "TabularPreprocessing_training",
    "XGBoostTraining",
    "ModelCalibration_calibration",
    "Package",
    "Registration",
    "Payload",
    "CradleDataLoading_calibration",
    "TabularPreprocessing_calibration",
    "XGBoostModelEval_calibration",
  ],
  edges: [
    ["CradleDataLoading_training", "TabularPreprocessing_training"],
    ["TabularPreprocessing_training", "XGBoostTraining"],
    ["CradleDataLoading_calibration", "TabularPreprocessing_calibration"],
    ["XGBoostTraining", "XGBoostModelEval_calibration"],
    ["TabularPreprocessing_calibration", "XGBoostModelEval_calibration"],
    ["XGBoostModelEval_calibration", "ModelCalibration_calibration"],
    ["ModelCalibration_calibration", "Package"],
    ["XGBoostTraining", "Package"],
    ["XGBoostTraining", "Payload"],
    ["Package", "Registration"],
    ["Payload", "Registration"],
  ],
  cursusOrder: [
    "CradleDataLoading_training",
    "CradleDataLoading_calibration",
    "TabularPreprocessing_training",
    "TabularPreprocessing_calibration",
    "XGBoostTraining",
    "XGBoostModelEval_calibration",
    "Payload",
    "ModelCalibration_calibration",
    "Package",
    "Registration",
  ],
};

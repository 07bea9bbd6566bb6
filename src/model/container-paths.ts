/** Where a cursus script's code lives in its container (cursus-formats §5.2). */

/** Training steps see their `source_dir` here; interfaces name code-dir inputs under it. */
export const CODE_ROOT = "/opt/ml/code";

/** Processing steps get their code mounted here. */
export const PROCESSING_CODE_ROOT = "/opt/ml/processing/input/code";

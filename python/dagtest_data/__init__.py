"""Parquet helpers for dagtest's synthesized and sampled data, run with the scripts' interpreter.

Kept apart from dagtest_runner, which stays standard-library only: this package needs pyarrow,
which any interpreter whose scripts read Parquet already has.
"""

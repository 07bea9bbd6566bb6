"""The package version: always the npm package's version (a test and the wheel builder check it)."""

__version__ = "0.1.0"

"""Errors the engine reports, as Python exceptions.

Every user mistake the engine sees (an unknown script, a path that does not exist, a malformed
config) arrives with a stable ``code``, a ``message``, a ``hint`` that says what to do and, when
the engine knows it, a ``location`` (file, line, column). They are ``ValueError`` subclasses, as
the seeds' factory raises ``ValueError`` for a configuration that fails validation.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from .protocol import ErrorObject, SourceLocation, ValidationIssue


class DagtestError(ValueError):
    """A user-facing error from the dagtest engine: ``code``, ``message``, ``hint``, ``location``."""

    def __init__(
        self,
        code: str,
        message: str,
        hint: str = "",
        location: Optional[SourceLocation] = None,
        issues: Optional[List[ValidationIssue]] = None,
    ) -> None:
        self.code = code
        self.message = message
        self.hint = hint
        self.location = location
        #: For DAGTEST_INVALID_CONFIGURATION: each rejected field with its own message and hint.
        self.issues: List[ValidationIssue] = list(issues or [])
        super().__init__(self._text())

    def _text(self) -> str:
        where = ""
        if self.location:
            where = f" ({format_location(self.location)})"
        hint = f"\nhint: {self.hint}" if self.hint else ""
        return f"[{self.code}] {self.message}{where}{hint}"

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.location:
            out["location"] = dict(self.location)
        return out


class ConfigurationError(DagtestError):
    """``configure_script_testing`` rejected a configuration (DAGTEST_INVALID_CONFIGURATION)."""


class NotConfiguredError(DagtestError):
    """``execute_dag_guided_testing`` refused: some scripts still need answers (DAGTEST_NOT_CONFIGURED)."""


class DagtestFileNotFoundError(DagtestError, FileNotFoundError):
    """A file named by you (the DAG, the config, dagtest.yaml) does not exist."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        DagtestError.__init__(self, *args, **kwargs)

    def __str__(self) -> str:
        return self._text()


class EngineError(RuntimeError):
    """The engine could not be started, died, or reported a bug of its own (not your mistake)."""


_BY_CODE = {
    "DAGTEST_INVALID_CONFIGURATION": ConfigurationError,
    "DAGTEST_NOT_CONFIGURED": NotConfiguredError,
    "DAGTEST_FILE_NOT_FOUND": DagtestFileNotFoundError,
    "DAGTEST_SPEC_NOT_FOUND": DagtestFileNotFoundError,
}


def format_location(location: Mapping[str, Any]) -> str:
    text = str(location.get("file", ""))
    if location.get("line") is not None:
        text += f":{location['line']}"
        if location.get("column") is not None:
            text += f":{location['column']}"
    return text


def error_from_wire(error: ErrorObject, issues: Optional[List[ValidationIssue]] = None) -> Exception:
    """The exception for an error response: a DagtestError for a user error, EngineError for a bug."""
    data = error.get("data") or {}
    code = str(data.get("code", "DAGTEST_INTERNAL"))
    if error.get("code") != 1:
        return EngineError(f"[{code}] {error.get('message', '')}")
    cls = _BY_CODE.get(code, DagtestError)
    return cls(code, str(error.get("message", "")), str(data.get("hint", "")), data.get("location"), issues)

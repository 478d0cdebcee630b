"""Errors that the pages turn into friendly messages (never a traceback)."""
from __future__ import annotations


class ModelUnavailable(Exception):
    """A model could not be loaded: a file is missing, truncated, corrupt, or does not match its config,
    or a Hub model could not be fetched. `message` says what happened in plain words, `path` names the file,
    and `fix` is what the user can do (usually the command that rebuilds the file)."""

    def __init__(self, message: str, *, path: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.fix = fix

    def __str__(self) -> str:
        parts = [self.message]
        if self.path:
            parts.append(f"File: {self.path}")
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return "\n".join(parts)

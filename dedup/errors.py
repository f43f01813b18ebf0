"""Exceptions raised by dedup. Each one names the file at fault and, where
there is one, the fix."""

from __future__ import annotations

import numbers
from typing import Optional


class DedupError(Exception):
    """Base class for every error dedup raises on purpose.

    Args:
        message: one line saying what went wrong and how to fix it.
        path: the file the error is about, if any.
    """

    def __init__(self, message: str, path: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return self.message


class InputError(DedupError):
    """A file or record could not be read as an article."""


class ConfigError(DedupError, ValueError):
    """A parameter is out of range or settings do not match."""


class IndexFormatError(DedupError):
    """A persistent index file is corrupt, foreign or built with other settings."""


def check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    """Raise ConfigError in scikit-learn's wording when value is outside [low, high]."""
    left = "(" if low_open else "["
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"The '{name}' parameter must be a number in {left}{low}, {high}]. Got {value!r} instead.")
    # Written so that NaN (for which every comparison is false) is out of range.
    bad = not (low <= value <= high) or (low_open and value == low)
    if bad:
        raise ConfigError(f"The '{name}' parameter must be in {left}{low}, {high}]. Got {value} instead.")

"""dedup: find near-duplicate news articles with MinHash-LSH and show what
each version added or removed.

Example:
    >>> import dedup
    >>> result = dedup.scan(["seeds/"])
    >>> result.clusters[0].keep
    '001_fbcee2db9c98bcf0.txt'

The public names below are loaded on first use (PEP 562 ``__getattr__``), so
that ``import dedup`` and the command line start without numpy.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it.
_EXPORTS = {
    "UnionFind": "cluster", "choose_keep": "cluster", "groups": "cluster",
    "VersionDiff": "diff", "diff": "diff",
    "ConfigError": "errors", "DedupError": "errors", "IndexFormatError": "errors", "InputError": "errors",
    "candidate_pairs": "candidates", "lsh_floor": "candidates", "optimal_bands": "candidates",
    "recall_bands": "candidates",
    "Document": "io", "ReadOptions": "io", "Skipped": "io", "html_to_text": "decode", "read_documents": "io",
    "AddOutcome": "index", "Index": "index", "IndexInfo": "index", "Match": "index", "QueryResult": "index",
    "normalize": "normalize", "words": "normalize",
    "Cluster": "pipeline", "DocInfo": "pipeline", "Member": "pipeline", "ScanConfig": "config",
    "ScanResult": "pipeline", "scan": "pipeline", "scan_documents": "pipeline",
    "ShingleConfig": "shingle", "shingle_hash": "shingle", "shingle_set": "shingle", "shingles": "shingle",
    "MinHasher": "signature",
    "Pair": "verify", "Rule": "verify", "similarity": "verify", "verify": "verify",
}

#: Submodules the documentation names from the package (``dedup.explain.explain``), loaded on first use too.
_SUBMODULES = frozenset({"explain", "extract", "template"})

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:
    from .candidates import candidate_pairs, lsh_floor, optimal_bands, recall_bands
    from .cluster import UnionFind, choose_keep, groups
    from .config import ScanConfig
    from .diff import VersionDiff, diff
    from .errors import ConfigError, DedupError, IndexFormatError, InputError
    from .index import AddOutcome, Index, IndexInfo, Match, QueryResult
    from .decode import html_to_text
    from .io import Document, ReadOptions, Skipped, read_documents
    from .normalize import normalize, words
    from .pipeline import Cluster, DocInfo, Member, ScanResult, scan, scan_documents
    from .shingle import ShingleConfig, shingle_hash, shingle_set, shingles
    from .signature import MinHasher
    from .verify import Pair, Rule, similarity, verify


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)


def _function_named_like_module(name: str) -> property:
    """``dedup.diff``, ``dedup.normalize`` and ``dedup.verify`` are functions,
    although submodules share their names: importing a submodule sets the
    package attribute of its name, so these are properties that always give
    the function and ignore that assignment."""

    def get(module: types.ModuleType) -> Any:
        return getattr(importlib.import_module(f".{name}", __name__), name)

    def set_(module: types.ModuleType, value: Any) -> None:
        if not isinstance(value, types.ModuleType):
            raise AttributeError(f"dedup.{name} cannot be replaced")

    return property(get, set_)


class _Package(types.ModuleType):
    diff = _function_named_like_module("diff")
    normalize = _function_named_like_module("normalize")
    verify = _function_named_like_module("verify")


sys.modules[__name__].__class__ = _Package

"""dedup: find near-duplicate news articles with MinHash-LSH and show what
each version added or removed.

Example:
    >>> import dedup
    >>> result = dedup.scan(["seeds/"])
    >>> result.clusters[0].keep
    '001_fbcee2db9c98bcf0.txt'
"""

__version__ = "0.1.0"

from .cluster import UnionFind, choose_keep, groups
from .diff import VersionDiff, diff
from .errors import ConfigError, DedupError, IndexFormatError, InputError
from .candidates import candidate_pairs, lsh_floor, optimal_bands, recall_bands
from .io import Document, ReadOptions, Skipped, html_to_text, read_documents
from .index import AddOutcome, Index, IndexInfo, Match, QueryResult
from .normalize import normalize, words
from .pipeline import Cluster, DocInfo, Member, ScanConfig, ScanResult, scan, scan_documents
from .shingle import ShingleConfig, shingle_hash, shingle_set, shingles
from .signature import MinHasher
from .verify import Pair, Rule, similarity, verify

__all__ = [
    "AddOutcome", "Cluster", "ConfigError", "DedupError", "DocInfo", "Document", "Index", "IndexFormatError", "IndexInfo", "InputError", "Match", "Member",
    "MinHasher", "Pair", "QueryResult", "ReadOptions", "Rule", "ScanConfig", "ScanResult", "ShingleConfig", "Skipped",
    "UnionFind", "candidate_pairs", "choose_keep", "groups", "html_to_text", "lsh_floor", "normalize",
    "optimal_bands", "read_documents", "recall_bands", "scan", "scan_documents", "shingle_hash", "shingle_set",
    "shingles", "similarity", "verify", "words", "__version__",
    "VersionDiff", "diff",
]

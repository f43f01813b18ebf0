"""The settings of a scan (:class:`ScanConfig`) and the keep policies.

Kept apart from the numeric stages so that reading the command line (option
defaults, ``--help``) does not load numpy: the checks of the settings import
the stages they ask, when a configuration is made.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Literal, Optional

from .errors import ConfigError, check_range

if TYPE_CHECKING:
    from .occasion import OccasionRule
    from .shingle import ShingleConfig, ShingleKind
    from .short import ShortRule
    from .verify import Rule

KeepPolicy = Literal["first", "longest", "newest", "oldest", "shortest"]
KEEP_POLICIES = ("first", "longest", "newest", "oldest", "shortest")
#: The occasion check's parts, in the order they are tried (a rejected pair is counted by the first it fails).
CHECKS = ("dates", "figures", "subject")
#: The settings of the occasion check (:attr:`ScanConfig.occasion_rule`): an index applies them as its caller
#: gives them, at query time.
OCCASION_FIELDS = ("occasion", "date_window", "figures", "subject")


@dataclass(frozen=True)
class ScanConfig:
    """Every setting of a scan.

    Args:
        shingle_size: tokens per shingle.
        shingle_kind: ``"word"`` or ``"char"``.
        num_perm: MinHash permutations.
        seed: MinHash seed.
        threshold: minimum Jaccard for a near-duplicate.
        containment: minimum containment of one document in the other.
        keep: which copy of a cluster to keep.
        jobs: worker processes for shingling and signatures (0: all cores).
        bands, rows: LSH banding; None tunes them for the lowest similarity
            the rule accepts.
        boilerplate_share: a shingle found in more than this share of the
            scanned documents (and in at least ``boilerplate_min_docs``)
            is boilerplate and carries no weight in verification; 1.0 turns
            this off.
        boilerplate_min_docs: the fewest documents a boilerplate shingle is in.
        short_words: documents of at most this many words are also compared
            by the short-text rule (word 2-grams with the figures and rare
            words agreeing, see :mod:`dedup.short`); 0 turns it off.
        max_bucket: an LSH bucket holding more documents than this (a
            template filled in for many companies or days) is split on more
            signature values, so that candidate pairs per document stay
            bounded (:func:`dedup.candidates.split_heavy`); 0 never splits.
        occasion: check every accepted pair for evidence of another
            occasion or subject (:mod:`dedup.occasion`); False turns the
            check off.
        date_window: days apart at which dated texts are another
            occasion (unless a correction, a copy of a long text or a long
            story refiled within 3 days); 0 turns the date check off.
        figures: minimum share of the figures of the text with fewer of
            them found in the other.
        subject: the most weight (inverse document frequency) of the
            shorter text's words that may be missing from the other.
    """

    shingle_size: int = 5
    shingle_kind: ShingleKind = "word"
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.5
    containment: float = 0.55
    keep: KeepPolicy = "longest"
    jobs: int = 1
    bands: Optional[int] = None
    rows: Optional[int] = None
    boilerplate_share: float = 0.5
    boilerplate_min_docs: int = 5
    short_words: int = 150
    max_bucket: int = 100
    occasion: bool = True
    date_window: float = 1.0
    figures: float = 0.6
    subject: float = 0.2

    def __post_init__(self) -> None:
        from .occasion import OccasionRule
        from .shingle import ShingleConfig
        from .short import ShortRule
        from .signature import MinHasher
        from .verify import Rule

        for f in fields(self):
            # A number of numpy's (np.int64(128) from a parameter grid) is taken as the Python number it holds.
            value = getattr(self, f.name)
            if isinstance(value, numbers.Integral) and not isinstance(value, int):
                object.__setattr__(self, f.name, int(value))
            elif isinstance(value, numbers.Real) and not isinstance(value, (int, float)):
                object.__setattr__(self, f.name, float(value))
        ShortRule(self.short_words)
        OccasionRule(self.date_window, self.figures, self.subject)
        check_range("boilerplate_share", self.boilerplate_share, 0.0, 1.0, low_open=True)
        if not isinstance(self.boilerplate_min_docs, int) or self.boilerplate_min_docs < 2:
            raise ConfigError("The 'boilerplate_min_docs' parameter must be an int >= 2. "
                              f"Got {self.boilerplate_min_docs!r} instead.")
        ShingleConfig(self.shingle_size, self.shingle_kind)
        MinHasher(self.num_perm, self.seed)
        Rule(self.threshold, self.containment)
        if self.keep not in KEEP_POLICIES:
            raise ConfigError(f"The 'keep' parameter must be one of {', '.join(KEEP_POLICIES)}. "
                              f"Got {self.keep!r} instead.")
        if isinstance(self.max_bucket, bool) or not isinstance(self.max_bucket, int) or not (
                self.max_bucket == 0 or self.max_bucket >= 2):
            raise ConfigError(f"The 'max_bucket' parameter must be 0 (never split) or an int >= 2. "
                              f"Got {self.max_bucket!r} instead.")
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 0:
            raise ConfigError(f"The 'jobs' parameter must be an int >= 0. Got {self.jobs!r} instead.")
        if (self.bands is None) != (self.rows is None):
            raise ConfigError("The 'bands' and 'rows' parameters must be given together.")
        for name in ("bands", "rows"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
                raise ConfigError(f"The '{name}' parameter must be an int. Got {value!r} instead.")
        if not isinstance(self.occasion, bool):
            raise ConfigError(f"The 'occasion' parameter must be True or False. Got {self.occasion!r} instead.")
        if self.bands is not None and (self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm):
            raise ConfigError(f"bands * rows must be at most num_perm ({self.num_perm}). "
                              f"Got {self.bands} * {self.rows} instead.")

    @property
    def shingles(self) -> ShingleConfig:
        from .shingle import ShingleConfig

        return ShingleConfig(self.shingle_size, self.shingle_kind)

    @property
    def rule(self) -> Rule:
        from .verify import Rule

        return Rule(self.threshold, self.containment)

    @property
    def short_rule(self) -> ShortRule:
        from .short import ShortRule

        return ShortRule(self.short_words)

    @property
    def occasion_rule(self) -> Optional[OccasionRule]:
        """The occasion check, None when turned off."""
        from .occasion import OccasionRule

        return OccasionRule(self.date_window, self.figures, self.subject) if self.occasion else None

    @property
    def banding(self) -> tuple[int, int]:
        """(bands, rows) used for candidates.

        Rows are fixed and the bands are the first ones of the signature, as
        many as the lowest similarity the rule accepts needs: a looser
        setting uses the bands of a stricter one and more, so lowering a
        threshold never loses a candidate (or a pair) that a stricter
        setting finds.
        """
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        from .candidates import lsh_floor, nested_bands

        return nested_bands(round(lsh_floor(self.threshold, self.containment), 6), self.num_perm)

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def scan_config(config: Optional[ScanConfig] = None, **settings: object) -> ScanConfig:
    """The settings a scan or an index is given: ``config``, or a :class:`ScanConfig` of the keyword
    ``settings`` (not both).

    Raises:
        TypeError: ``config`` is not a ScanConfig (a dict, say), or both are given.
    """
    if config is None:
        return ScanConfig(**settings)  # type: ignore[arg-type]
    if settings:
        raise TypeError("give either config or keyword settings, not both")
    if not isinstance(config, ScanConfig):
        raise TypeError(f"config must be a ScanConfig, such as dedup.ScanConfig(threshold=0.6); got "
                        f"{type(config).__name__} (settings can also be keywords: scan(paths, threshold=0.6))")
    return config

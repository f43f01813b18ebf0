"""Which of two versions of an article is older: by their dates, by a correction marker at the start of
one, else by which holds the other (:func:`tell_older`), for the diff stage (:mod:`dedup.diff`) and the
scan report's diffs, which run from the older version to the newer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Union

from .records import Document

Text = Union[str, Document]


@dataclass(frozen=True)
class Similarity:
    """Shingle-set similarity of the two versions (as ``dedup scan`` measures it)."""

    jaccard: float
    a_in_b: float
    b_in_a: float
    shingle_size: int = 5


@dataclass(frozen=True)
class Older:
    """Which version is older, when it can be told.

    Attributes:
        side: ``"a"``, ``"b"``, or None when it cannot be told.
        reason: one sentence saying how it was told (or why not).
    """

    side: Optional[str]
    reason: str


#: A correction or update marked at the start of a text ("CORRECTED - ", "UPDATE 2-"): the later version.
CORRECTION_MARKER = re.compile(r"^\W*(corrected|correction|correcting|updated?|refiled|repeated|rpt)\b",
                               re.IGNORECASE)
_CLOCK_SLACK = 60.0  # seconds: files checked out or copied together differ by less


def _date_origin(doc: Document) -> str:
    if doc.updated is not None:
        return "modified"
    if doc.is_file and doc.date is not None:
        try:
            if abs(os.stat(doc.path).st_mtime - doc.date.timestamp()) < 1e-3:
                return "file modification time"
        except OSError:
            pass
    return "date"


def _utc(d: Optional[datetime]) -> Optional[datetime]:
    return d.replace(tzinfo=timezone.utc) if d is not None and d.tzinfo is None else d


def _fmt_date(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _day_only(d: datetime) -> bool:
    return (d.hour, d.minute, d.second, d.microsecond) == (0, 0, 0, 0)


def _within_day(day: datetime, other: datetime) -> bool:
    """Whether ``day`` is a date without a time (midnight exactly) and ``other``, a time of day, may fall
    on that day in whatever zone it was written: from 14 hours before its midnight (UTC+14) to 12 after
    its end (UTC-12). Two dates without a time tell their order by the day."""
    return _day_only(day) and not _day_only(other) and timedelta(hours=-14) <= other - day < timedelta(hours=36)


def tell_older(a: Text, b: Text, sim: Similarity) -> Older:
    """Which version is older: by date (field, HTML meta or file time), by a
    "CORRECTED"/"UPDATED"/"RPT" marker at the start of one text, else by
    containment direction (the version mostly contained in the other, which
    adds to it, is likely the older). A marker says more than a file's
    modification time (when it was saved or copied). Returns side None when
    none tells."""
    ta = a.text if isinstance(a, Document) else a
    tb = b.text if isinstance(b, Document) else b
    ma, mb = CORRECTION_MARKER.match(ta[:80]), CORRECTION_MARKER.match(tb[:80])
    marker = None
    if bool(ma) != bool(mb):
        marked = "a" if ma else "b"
        word = (ma or mb).group(1).upper()  # type: ignore[union-attr]
        marker = Older("b" if marked == "a" else "a",
                       f"{marked.upper()} starts with {word}, so it is the later version")
    # A web page's version is as old as its last modification, where it gives one; no zone: UTC.
    da = _utc((a.updated or a.date) if isinstance(a, Document) else None)
    db = _utc((b.updated or b.date) if isinstance(b, Document) else None)
    dates = "no dates"
    if da is not None and db is not None:
        dates = "dates too close to tell"
        # A date without a time of day (read as midnight) is any time that day: within it, nothing is told.
        gap = 0.0 if _within_day(da, db) or _within_day(db, da) else (db - da).total_seconds()
        origin_a, origin_b = _date_origin(a), _date_origin(b)  # type: ignore[arg-type]
        mtime = "file modification time" in (origin_a, origin_b)
        if abs(gap) > (_CLOCK_SLACK if mtime else 0):
            if mtime and marker is not None:
                return marker
            side = "a" if gap > 0 else "b"
            origin = origin_a if origin_a == origin_b else f"{origin_a} / {origin_b}"
            return Older(side, f"{side.upper()} is dated earlier ({origin}: A {_fmt_date(da)}, B {_fmt_date(db)})")
    if marker is not None:
        return marker
    if sim.a_in_b >= 0.5 and sim.a_in_b - sim.b_in_a >= 0.1:
        return Older("a", f"likely A: {sim.a_in_b:.0%} of A's shingles are in B but only {sim.b_in_a:.0%} of B's "
                          "in A (B reads as A extended)")
    if sim.b_in_a >= 0.5 and sim.b_in_a - sim.a_in_b >= 0.1:
        return Older("b", f"likely B: {sim.b_in_a:.0%} of B's shingles are in A but only {sim.a_in_b:.0%} of A's "
                          "in B (A reads as B extended)")
    marks = (f"both start with a marker ({ma.group(1).upper()}, {mb.group(1).upper()})" if ma and mb
             else "no correction marker")
    return Older(None, f"cannot tell: {dates}, {marks}, and each version holds about as much of the other")


__all__ = ["CORRECTION_MARKER", "Older", "Similarity", "tell_older"]

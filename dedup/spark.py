"""The scan as an Apache Spark job: the same clusters as :func:`dedup.scan`, from a cluster of machines.

Spark only moves batches and shuffles; every decision is made by the same
engine-neutral functions the local scan calls:

1. per document, :func:`dedup.pipeline.hash_batch` in ``mapInArrow`` batches
   (shingle sets, signatures, word, figure and first-line sets, correction
   marks, short-text features);
2. the collection's statistics as aggregations (never accumulators, which
   count twice when a task is retried): shingle and word document
   frequencies as bucketed counts (:class:`dedup.verify.ShingleCounts`),
   the short documents' common words (:func:`dedup.short.common_tokens`),
   broadcast back;
3. candidates: band keys exploded and grouped into the local scan's
   buckets; a bucket of more than ``max_bucket`` members split as the local
   scan splits it (:func:`dedup.candidates.band_groups`, one task per such
   bucket); buckets and groups cut into blocks of
   :data:`dedup.candidates.BLOCK` members, each pair emitted once, in the
   first band where it is a candidate (:func:`dedup.candidates.first_band_pairs`);
4. verification of each candidate with its two documents' features joined
   to it (:func:`dedup.pipeline.verify_candidates`);
5. connected components on the driver while the pairs fit there, else a
   distributed large-star/small-star loop (:func:`dedup.spark_components.star_components`); each
   component is split into trusted clusters and its keep chosen
   (:func:`dedup.cluster.trusted_clusters`, :func:`dedup.pipeline.make_cluster`);
6. clusters numbered by their first document, rendered by :mod:`dedup.report`.

pyspark is imported inside the functions that use it (``pip install 'dedup[spark]'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterator, Optional

import numpy as np

from .errors import ConfigError
from .config import ScanConfig
from .cluster import adjacency, trusted_clusters
from .pipeline import BATCH, Cluster, Member, PairJudge, hash_batch, make_cluster, verify_candidates
from .short import ShortFeatures, ShortMatcher
from .signature import MinHasher
from .verify import DF_BUCKETS, Pair, ShingleCounts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SPARK_MISSING = "the Spark engine needs pyspark 4 (pip install 'dedup[spark]') and Java 17 or later"

#: Verified pairs up to this many are grouped into components on the driver; beyond, on the executors
#: (:func:`dedup.spark_components.star_components`).
DRIVER_EDGES = 20_000_000

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_U32 = np.uint32

# The columns every document carries through the job.
DOC_SCHEMA = "ord long, id string, text string, date_us long, mtime boolean, updated_us long, title string"
FEATURE_SCHEMA = ("ord long, id string, words long, shingles long, date_us long, mtime boolean, updated_us long, "
                  "sig binary, "
                  "sh binary, wd binary, fig binary, lead binary, title binary, corr boolean, short boolean, "
                  "s_big binary, s_tok binary, s_num binary, s_dig binary")
PAIR_SCHEMA = ("left long, right long, jaccard double, left_in_right double, right_in_left double, rule string, "
               "days double, figures double, subject double, correction boolean")


def _b(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values, dtype=_U32).tobytes()


def _u(blob: Optional[bytes]) -> np.ndarray:
    return np.frombuffer(blob or b"", dtype=_U32)


def micros(date: Optional[datetime]) -> Optional[int]:
    """A date as exact microseconds since the epoch (None stays None)."""
    if date is None:
        return None
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    return (date - _EPOCH) // timedelta(microseconds=1)


def from_micros(us: Optional[int]) -> Optional[datetime]:
    """Inverse of :func:`micros`."""
    return None if us is None else _EPOCH + timedelta(microseconds=int(us))


# ---------------------------------------------------------------- kernels over Arrow batches (no Spark here)

def feature_batches(batches: Iterator[Any], config: ScanConfig) -> Iterator[Any]:
    """Per-document features of record batches of :data:`DOC_SCHEMA`, as batches of :data:`FEATURE_SCHEMA`."""
    import pyarrow as pa

    hasher = MinHasher(config.num_perm, config.seed)
    for rb in batches:
        cols = rb.to_pydict()
        for start in range(0, rb.num_rows, BATCH):
            texts = cols["text"][start:start + BATCH]
            hb = hash_batch(texts, config, hasher, cols["title"][start:start + BATCH])
            n = len(texts)
            ends = {name: np.cumsum(lengths) for name, lengths in (
                ("sh", hb.lengths), ("wd", hb.word_lengths), ("fig", hb.occasion.figure_lengths),
                ("lead", hb.lead_lengths), ("title", hb.title_lengths))}
            vals = {"sh": hb.values, "wd": hb.word_values, "fig": hb.occasion.figures, "lead": hb.leads,
                    "title": hb.titles}

            def seg(name: str, k: int) -> bytes:
                e = ends[name]
                return _b(vals[name][(int(e[k - 1]) if k else 0):int(e[k])])

            short = hb.short
            srow = {int(i): r for r, i in enumerate(short.index.tolist())}
            s_ends = {f: np.cumsum(getattr(short, f + "_lengths")) for f in ("bigram", "token", "number", "digit")}
            s_vals = {"bigram": short.bigrams, "token": short.tokens, "number": short.numbers,
                      "digit": short.digits}

            def sseg(name: str, k: int) -> Optional[bytes]:
                r = srow.get(k)
                if r is None:
                    return None
                e = s_ends[name]
                return _b(s_vals[name][(int(e[r - 1]) if r else 0):int(e[r])])

            out = {
                "ord": cols["ord"][start:start + n], "id": cols["id"][start:start + n],
                "words": hb.words.tolist(), "shingles": hb.lengths.tolist(),
                "date_us": cols["date_us"][start:start + n], "mtime": cols["mtime"][start:start + n],
                "updated_us": cols["updated_us"][start:start + n],
                # Whole: a heavy bucket is split on values after the bands (dedup.candidates.split_heavy).
                "sig": [_b(hb.signatures[k]) for k in range(n)],
                "sh": [seg("sh", k) for k in range(n)], "wd": [seg("wd", k) for k in range(n)],
                "fig": [seg("fig", k) for k in range(n)], "lead": [seg("lead", k) for k in range(n)],
                "title": [seg("title", k) for k in range(n)], "corr": hb.occasion.corrections.tolist(),
                "short": [k in srow for k in range(n)],
                "s_big": [sseg("bigram", k) for k in range(n)], "s_tok": [sseg("token", k) for k in range(n)],
                "s_num": [sseg("number", k) for k in range(n)], "s_dig": [sseg("digit", k) for k in range(n)],
            }
            yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(FEATURE_SCHEMA))


def _arrow_schema(spec: str) -> Any:
    import pyarrow as pa

    kinds = {"long": pa.int64(), "string": pa.string(), "binary": pa.binary(), "boolean": pa.bool_(),
             "double": pa.float64(), "int": pa.int32()}
    return pa.schema([(name, kinds[kind]) for name, kind in (f.split() for f in spec.split(", "))])


def bucket_counts(sets: Iterator[Optional[bytes]], buckets: int = DF_BUCKETS) -> tuple[np.ndarray, int]:
    """Bucketed document frequencies of a partition's hash sets (:class:`dedup.verify.ShingleCounts`) and how
    many sets were counted: a partial count that adds up over partitions."""
    counts = ShingleCounts(buckets)
    for blob in sets:
        counts.add(_u(blob), 1)
    return counts.counts, counts.docs


def band_rows(batches: Iterator[Any], bands: int, rows: int) -> Iterator[Any]:
    """Each document's bands as rows (band, hkey, ord): hkey is the band's 64-bit key
    (:func:`dedup.candidates.band_keys`), the key of the local scan's buckets."""
    import pyarrow as pa

    from .candidates import band_keys

    for rb in batches:
        ords = np.asarray(rb.column("ord").to_numpy(zero_copy_only=False), dtype=np.int64)
        sigs = [_u(b) for b in rb.column("sig").to_pylist()]
        if not len(ords):
            continue
        mat = np.stack(sigs).reshape(len(ords), -1)[:, :bands * rows]
        band = np.repeat(np.arange(bands, dtype=np.int32)[None, :], len(ords), axis=0).reshape(-1)
        hkeys = np.stack([band_keys(mat, k, rows) for k in range(bands)], axis=1).reshape(-1).view(np.int64)
        yield pa.RecordBatch.from_pydict({"band": band, "hkey": hkeys, "ord": np.repeat(ords, bands)},
                                         schema=_arrow_schema(BAND_SCHEMA))


BAND_SCHEMA = "band int, hkey long, ord long"
#: Rows of the groups of split band buckets: ``sub`` names the group by its first document.
GROUP_SCHEMA = "band int, hkey long, ord long, sub long"
#: ``sub`` of the members of a bucket that is not split.
UNSPLIT = -1


def split_bucket(table: Any, rows: int, max_bucket: int) -> Any:
    """The groups of one heavy bucket (rows of :data:`BAND_SCHEMA` sharing band and hkey, with each
    member's whole signature ``sig``), as rows of :data:`GROUP_SCHEMA`.

    The local scan's split (:func:`dedup.candidates.band_groups`), which
    depends on the bucket's members only. Each group is named by its first
    document, so the names do not depend on the order in which Spark
    delivers the rows, and no two groups of one band share a name.
    """
    import pyarrow as pa

    from .candidates import band_groups

    table = table.sort_by("ord")
    band = table.column("band")[0].as_py()
    ords = np.asarray(table.column("ord").to_numpy(zero_copy_only=False), dtype=np.int64)
    mat = np.stack([_u(b) for b in table.column("sig").to_pylist()])
    labels = band_groups(mat, band, rows, max_bucket)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return pa.table({"band": pa.array(np.full(len(ords), band, np.int32)), "hkey": table.column("hkey"),
                     "ord": ords, "sub": ords[first][inverse.reshape(-1)]}, schema=_arrow_schema(GROUP_SCHEMA))


def block_rows(batches: Iterator[Any], block: int) -> Iterator[Any]:
    """Members of the groups (band, hkey, sub, m: the members) as rows of the tasks of
    :func:`dedup.candidates.bucket_blocks`."""
    import pyarrow as pa

    from .candidates import bucket_blocks

    for rb in batches:
        out: dict[str, list] = {"band": [], "hkey": [], "sub": [], "ta": [], "tb": [], "side": [], "ord": []}
        for band, hkey, sub, members in zip(rb.column("band").to_pylist(), rb.column("hkey").to_pylist(),
                                            rb.column("sub").to_pylist(), rb.column("m").to_pylist()):
            members = sorted(members)
            for a, b in bucket_blocks(len(members), block):
                for side, blk in ((0, a),) if a == b else ((0, a), (1, b)):
                    part = members[blk * block:(blk + 1) * block]
                    out["ord"].extend(part)
                    out["side"].extend([side] * len(part))
                    for name, v in (("band", band), ("hkey", hkey), ("sub", sub), ("ta", a), ("tb", b)):
                        out[name].extend([v] * len(part))
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(TASK_SCHEMA))


TASK_SCHEMA = "band int, hkey long, sub long, ta int, tb int, side int, ord long"


def task_pairs(table: Any, rows: int) -> Any:
    """The candidate pairs of one task: rows of :func:`block_rows` with each member's signature ``sig``
    and, where heavy buckets are split, ``subs``: its groups in the split buckets it is in, a list of
    (band, sub) or null.

    The members share a 64-bit band key; a pair whose band values differ
    (two values with one key) is no candidate, as in the local scan.
    """
    import pyarrow as pa

    from .candidates import first_band_pairs

    band = table.column("band")[0].as_py()
    side = np.asarray(table.column("side").to_numpy(zero_copy_only=False))
    ords = np.asarray(table.column("ord").to_numpy(zero_copy_only=False), dtype=np.int64)
    width = (band + 1) * rows
    mat = np.stack([_u(b)[:width] for b in table.column("sig").to_pylist()])
    prefix = mat[:, :band * rows]
    groups = None
    if "subs" in table.column_names:
        groups = np.full((len(ords), band), UNSPLIT, dtype=np.int64)
        for r, subs in enumerate(table.column("subs").to_pylist()):
            for entry in subs or ():
                if entry["band"] < band:
                    groups[r, entry["band"]] = entry["sub"]
    a = side == 0
    if side.any():
        pairs = first_band_pairs(ords[a], prefix[a], ords[~a], prefix[~a], band, rows,
                                 *((groups[a], groups[~a]) if groups is not None else ()))
    else:
        pairs = first_band_pairs(ords, prefix, ords, prefix, band, rows, groups, groups)
    by_ord = np.argsort(ords)
    at = by_ord[np.searchsorted(ords[by_ord], pairs)]
    same = (mat[at[:, 0], band * rows:] == mat[at[:, 1], band * rows:]).all(axis=1)
    return pa.table({"i": pairs[same, 0], "j": pairs[same, 1]})


@dataclass(frozen=True)
class _Info:
    """What :class:`dedup.pipeline.PairJudge` and the keep choice read of a document."""

    id: str
    words: int
    date: Optional[datetime]
    date_is_mtime: bool
    updated: Optional[datetime] = None  # a record's later update


class _Docs:
    """Documents' features by index, from rows of :data:`FEATURE_SCHEMA`, for a :class:`PairJudge`."""

    def __init__(self) -> None:
        self.infos: dict[int, _Info] = {}
        self.sets: dict[int, np.ndarray] = {}
        self.words: dict[int, np.ndarray] = {}
        self.figures: dict[int, np.ndarray] = {}
        self.leads: dict[int, np.ndarray] = {}
        self.titles: dict[int, np.ndarray] = {}
        self.corrections: dict[int, bool] = {}
        self.short: dict[int, tuple] = {}

    def add(self, row: dict[str, Any], prefix: str = "") -> None:
        i = row[prefix + "ord"]
        if i in self.infos:
            return
        self.infos[i] = _Info(row[prefix + "id"], row[prefix + "words"], from_micros(row[prefix + "date_us"]),
                              bool(row[prefix + "mtime"]), from_micros(row[prefix + "updated_us"]))
        self.sets[i] = _u(row[prefix + "sh"])
        self.words[i] = _u(row[prefix + "wd"])
        self.figures[i] = _u(row[prefix + "fig"])
        self.leads[i] = _u(row[prefix + "lead"])
        self.titles[i] = _u(row[prefix + "title"])
        self.corrections[i] = bool(row[prefix + "corr"])
        if row.get(prefix + "short"):
            self.short[i] = tuple(_u(row[prefix + f]) for f in ("s_big", "s_tok", "s_num", "s_dig"))

    def short_features(self) -> ShortFeatures:
        idx = sorted(self.short)
        if not idx:
            return ShortFeatures.empty()
        parts = [[self.short[i][k] for i in idx] for k in range(4)]

        def cat(p: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            return np.concatenate(p).astype(_U32), np.fromiter((len(x) for x in p), np.int64, len(p))

        (big, big_l), (tok, tok_l), (num, num_l), (dig, dig_l) = (cat(p) for p in parts)
        return ShortFeatures(np.asarray(idx, np.int64), big, big_l, tok, tok_l, num, num_l, dig, dig_l,
                             np.asarray([self.corrections[i] for i in idx], bool))

    def judge(self, config: ScanConfig, stats: "_Stats") -> PairJudge:
        get_set = self.sets.__getitem__
        if stats.boilerplate is not None:
            get_set = stats.boilerplate.view(get_set)
        matcher = (ShortMatcher(self.short_features(), config.short_rule, common=stats.common)
                   if config.short_words else None)
        return PairJudge(config, self.infos, get_set, self.words.__getitem__,  # type: ignore[arg-type]
                         self.figures.__getitem__, self.leads.__getitem__, self.titles.__getitem__,
                         self.corrections, stats.weights(), matcher)  # type: ignore[arg-type]


@dataclass
class _Stats:
    """The collection's statistics, as the executors receive them."""

    word_counts: np.ndarray
    docs: int
    boilerplate: Any
    common: np.ndarray

    def weights(self) -> Any:
        from .occasion import WordWeights

        return WordWeights.from_counts(self.word_counts, len(self.word_counts) - 1, self.docs)


def verify_rows(batches: Iterator[Any], config: ScanConfig, stats: Any) -> Iterator[Any]:
    """Verified pairs of candidate rows joined with both documents' features (``l_*`` and ``r_*`` columns)."""
    import pyarrow as pa

    for rb in batches:
        rows = rb.to_pylist()
        if not rows:
            continue
        docs = _Docs()
        for row in rows:
            docs.add(row, "l_")
            docs.add(row, "r_")
        judge = docs.judge(config, stats.value)
        main = np.array([(r["i"], r["j"]) for r in rows if r["in1"]], dtype=np.int64).reshape(-1, 2)
        shorts = []
        if judge.short is not None:
            for r in rows:
                if r["in2"]:
                    m = judge.short.match(r["i"], r["j"])
                    if m is not None:
                        shorts.append(m)
        pairs, _ = verify_candidates(main, judge, shorts)
        yield pa.RecordBatch.from_pylist([_pair_row(p) for p in pairs], schema=_arrow_schema(PAIR_SCHEMA))


def _pair_row(p: Pair) -> dict[str, Any]:
    return {"left": p.left, "right": p.right, "jaccard": p.jaccard, "left_in_right": p.left_in_right,
            "right_in_left": p.right_in_left, "rule": p.rule, "days": p.days, "figures": p.figures,
            "subject": p.subject, "correction": p.correction}


def _row_pair(r: dict[str, Any]) -> Pair:
    return Pair(r["left"], r["right"], r["jaccard"], r["left_in_right"], r["right_in_left"], r["rule"],
                r["days"], r["figures"], r["subject"], r["correction"])


CLUSTER_SCHEMA = ("first long, keep string, members array<struct<id: string, jaccard: double, "
                  "containment: double, keep: boolean>>")


def cluster_rows(batches: Iterator[Any], config: ScanConfig, stats: Any) -> Iterator[Any]:
    """Clusters of components: rows (comp, pairs, docs) with each component's verified pairs and the
    features of its documents."""
    import pyarrow as pa

    for rb in batches:
        out = []
        for comp in rb.to_pylist():
            docs = _Docs()
            for row in comp["docs"]:
                docs.add(row)
            pairs = [_row_pair(r) for r in comp["pairs"]]
            judge = docs.judge(config, stats.value)
            members = sorted(docs.infos)
            for group in trusted_clusters([members], adjacency(pairs), judge):
                c = make_cluster(0, group, judge)
                out.append({"first": min(group), "keep": c.keep,
                            "members": [{"id": m.id, "jaccard": m.jaccard, "containment": m.containment,
                                         "keep": m.keep} for m in c.members]})
        yield pa.RecordBatch.from_pylist(out, schema=_arrow_schema_cluster())


def _arrow_schema_cluster() -> Any:
    import pyarrow as pa

    member = pa.struct([("id", pa.string()), ("jaccard", pa.float64()), ("containment", pa.float64()),
                        ("keep", pa.bool_())])
    return pa.schema([("first", pa.int64()), ("keep", pa.string()), ("members", pa.list_(member))])


# ---------------------------------------------------------------- the job

@dataclass
class SparkScan:
    """What :func:`scan_dataframe` found, as DataFrames.

    Attributes:
        pairs: verified pairs: ``a``, ``b`` (ids), ``jaccard``,
            ``containment_a_in_b``, ``containment_b_in_a``, ``rule``, ``days``,
            ``figures``, ``subject``, ``correction`` (the fields of
            ``dedup scan --pairs --format jsonl``), with ``left`` and
            ``right``, the two documents' input order.
        members: one row per cluster member: ``cluster``, ``size``,
            ``rank`` (its place in the cluster, the kept copy 0), ``id``,
            ``jaccard``, ``containment``, ``keep`` (the fields of
            ``dedup scan --format jsonl``).
        clusters: one row per cluster: ``cluster``, ``keep``, ``members``
            (an array of the members' structs, kept copy first).
        bands, rows: the LSH banding used.
        candidates: DataFrame of the candidate pairs (``i``, ``j``) of the
            shingle LSH.
        config: the settings.
        documents: the documents scanned (with text, first of their id).
    """

    pairs: "DataFrame"
    members: "DataFrame"
    clusters: "DataFrame"
    candidates: "DataFrame"
    bands: int
    rows: int
    config: ScanConfig
    documents: int = 0

    def duplicates(self) -> "DataFrame":
        """The ids a user could drop (cluster members other than the kept copy), one column ``id``:
        ``df.join(result.duplicates(), df[id_col] == F.col("id"), "left_anti")`` keeps the rest."""
        return self.members.where(~self.members["keep"]).select("id")

    def jsonl(self, pairs: bool = False) -> Any:
        """The lines of ``dedup scan --format jsonl`` (``--pairs``: of the pairs), as an ordered RDD of str."""
        from .report import cluster_record, json_text, pair_fields

        if pairs:
            def pair_line(r: Any) -> str:
                d = r.asDict()
                d["left_in_right"], d["right_in_left"] = d["containment_a_in_b"], d["containment_b_in_a"]
                return json_text(pair_fields(d["a"], d["b"], _row_pair(d)), ensure_ascii=False)

            return self.pairs.orderBy("left", "right").rdd.map(pair_line)

        def cluster_line(r: Any) -> str:
            members = tuple(Member(m["id"], m["jaccard"], m["containment"], m["keep"]) for m in r["members"])
            return json_text(cluster_record(Cluster(r["cluster"], r["keep"], members)), ensure_ascii=False)

        return self.clusters.orderBy("cluster").rdd.map(cluster_line)


def scan_dataframe(df: "DataFrame", id_col: str = "id", text_col: str = "text", date_col: Optional[str] = None,
                   order_col: Optional[str] = None, config: Optional[ScanConfig] = None, *,
                   title_col: Optional[str] = None, block: Optional[int] = None,
                   driver_edges: int = DRIVER_EDGES) -> SparkScan:
    """Find near-duplicates among the rows of a Spark DataFrame, with the local scan's rule and answer.

    Args:
        df: one row per article.
        id_col: unique ids (rows whose id repeats an earlier one are left out,
            as the local reader does).
        text_col: the article text; rows without text are left out.
        date_col: publication dates (timestamp, date, or strings that
            :func:`dedup.decode.parse_date` reads), for the occasion check and
            ``keep="newest"``.
        order_col: the input order (a sortable number): ties in the keep
            choice go to the earlier row, and clusters are numbered in this
            order. None: the DataFrame's own order (``zipWithIndex``, stable
            for the same input files).
        config: the scan's settings.
        title_col: headlines given apart from the text (as a JSON record's
            ``title`` field: read by the occasion check unless the text starts
            with it, :func:`dedup.records.title_apart`).
        block: most members of a band bucket per side of a task (default
            :data:`dedup.candidates.BLOCK`).
        driver_edges: verified pairs up to this many are grouped into
            components on the driver; more, by :func:`dedup.spark_components.star_components`.

    Returns:
        SparkScan.

    Example:
        >>> result = scan_dataframe(spark.read.parquet("news/"), id_col="url", text_col="body")  # doctest: +SKIP
        >>> clean = news.join(result.duplicates(), news.url == F.col("id"), "left_anti")  # doctest: +SKIP
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    config = config or ScanConfig()
    for name in (id_col, text_col) + tuple(c for c in (date_col, order_col, title_col) if c):
        if name not in df.columns:
            raise ConfigError(f"The DataFrame has no column {name!r} (columns: {', '.join(df.columns)}).")
    spark = df.sparkSession
    cols = [F.col(id_col).cast("string").alias("id"), F.col(text_col).cast("string").alias("text")]
    date_kind = df.schema[date_col].dataType if date_col else None
    if date_col is None:
        cols.append(F.lit(None).cast("long").alias("date_us"))
    elif isinstance(date_kind, (T.TimestampType, T.TimestampNTZType, T.DateType)):
        cols.append(F.unix_micros(F.col(date_col).cast("timestamp")).alias("date_us"))
    else:
        cols.append(F.col(date_col).cast("string").alias("date_raw"))
    if title_col is not None:
        cols.append(F.col(title_col).cast("string").alias("title_raw"))
    if order_col is not None:
        base = df.select(F.col(order_col).cast("long").alias("ord"), *cols)
    else:
        picked = df.select(*cols)
        schema = T.StructType([T.StructField("ord", T.LongType(), False)] + list(picked.schema.fields))
        base = spark.createDataFrame(picked.rdd.zipWithIndex().map(lambda r: (r[1],) + tuple(r[0])), schema)
    _check_keys(base, id_col, order_col)
    if "date_raw" in base.columns or title_col is not None:
        base = base.mapInArrow(_read_columns, _READ_SCHEMA + (", title string" if title_col else ""))
    base = base.withColumn("mtime", F.lit(False))
    return scan_documents_frame(base, config, block=block, driver_edges=driver_edges)


def _check_keys(base: "DataFrame", id_col: str, order_col: Optional[str]) -> None:
    """Refuse null ids, and an order that repeats or is missing (one pass over the two columns): rows that
    share an order value were taken for one, and a null id made one document of all the rows with none."""
    from pyspark.sql import functions as F

    row = base.agg(F.count(F.lit(1)).alias("rows"), F.count("ord").alias("ordered"),
                   F.countDistinct("ord").alias("orders"), F.sum(F.col("id").isNull().cast("long")).alias("no_id")
                   ).collect()[0]
    if row["no_id"]:
        raise ConfigError(f"Column {id_col!r} is null in {row['no_id']:,} rows; give every row an id (fill them, "
                          "e.g. with F.coalesce, or filter those rows out).")
    if order_col is not None and (row["ordered"] < row["rows"] or row["orders"] < row["ordered"]):
        what = (f"null (or not a number) in {row['rows'] - row['ordered']:,} rows" if row["ordered"] < row["rows"]
                else f"repeated: {row['orders']:,} distinct values in {row['rows']:,} rows")
        raise ConfigError(f"Column {order_col!r} gives the input order, so its values must be distinct numbers; "
                          f"it is {what} (leave order_col out to use the DataFrame's order).")


_READ_SCHEMA = "ord long, id string, text string, date_us long"


def _read_columns(batches: Iterator[Any]) -> Iterator[Any]:
    """A DataFrame's dates read as the local reader reads them (``date_raw``), and its titles as a record's
    (``title_raw``: one line, kept apart only when the text does not start with it)."""
    import pyarrow as pa

    from .io import parse_date
    from .records import record_title, title_apart

    for rb in batches:
        d = rb.to_pydict()
        out = {"ord": d["ord"], "id": d["id"], "text": d["text"],
               "date_us": [micros(parse_date(v)) for v in d["date_raw"]] if "date_raw" in d else d["date_us"]}
        spec = _READ_SCHEMA
        if "title_raw" in d:
            out["title"] = [title_apart(record_title({"title": t}), x or "") for t, x in zip(d["title_raw"], d["text"])]
            spec += ", title string"
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema(spec))


def scan_documents_frame(docs: "DataFrame", config: ScanConfig, *, block: Optional[int] = None,
                         driver_edges: int = DRIVER_EDGES) -> SparkScan:
    """The scan over a DataFrame of :data:`DOC_SCHEMA` (input order, id, text, date in microseconds,
    whether it is a file's modification time; optional: a later update in microseconds, a title given
    apart from the text, :func:`dedup.records.separate_titles`)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from .candidates import BLOCK

    block = block or BLOCK
    spark = docs.sparkSession
    sc = spark.sparkContext
    bands, rows = config.banding
    for name, kind in (("updated_us", "long"), ("title", "string")):  # optional
        if name not in docs.columns:
            docs = docs.withColumn(name, F.lit(None).cast(kind))
    # As the local reader: no text, no document; a repeated id, the first one only.
    docs = docs.where(F.col("text").isNotNull() & (F.trim(F.col("text")) != ""))
    first = Window.partitionBy("id").orderBy("ord")
    docs = docs.withColumn("_n", F.row_number().over(first)).where("_n = 1").drop("_n")
    feats = docs.mapInArrow(lambda it: feature_batches(it, config), FEATURE_SCHEMA).persist()

    # Statistics over the whole collection: aggregations, exact whatever the partitioning.
    def add(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
        return a[0] + b[0], a[1] + b[1]

    word_counts, n_docs = feats.select("wd").rdd.mapPartitions(
        lambda it: [bucket_counts(r[0] for r in it)]).treeReduce(add)
    boilerplate = None
    if config.boilerplate_share < 1.0:
        sh_counts, sh_docs = feats.select("sh").rdd.mapPartitions(
            lambda it: [bucket_counts(r[0] for r in it)]).treeReduce(add)
        counted = ShingleCounts()
        counted.counts, counted.docs = sh_counts.astype(np.uint32), sh_docs
        boilerplate = counted.boilerplate(config.boilerplate_share, config.boilerplate_min_docs)
        if not boilerplate.flags.any():
            boilerplate = None
    common = np.empty(0, _U32)
    n_short = 0
    if config.short_words:
        shorts = feats.where("short").select("s_tok")
        n_short = shorts.count()
        if n_short:
            cutoff = config.short_rule.cutoff(n_short)
            tokens = shorts.rdd.flatMap(lambda r: _u(r[0]).tolist()).map(lambda t: (t, 1)).reduceByKey(
                lambda a, b: a + b).filter(lambda kv: kv[1] > cutoff).keys().collect()
            common = np.unique(np.asarray(tokens, dtype=np.int64).astype(_U32))
    stats = sc.broadcast(_Stats(word_counts.astype(np.uint32), int(n_docs), boilerplate, common))

    # Candidates: shingle LSH over documents with shingles; short-text LSH over key tokens.
    sigs = feats.where("shingles > 0").select("ord", "sig")
    sigs, stars = copies_apart(sigs, config.max_bucket)
    cand1 = banded_candidates(sigs, bands, rows, block, config.max_bucket)
    if stars is not None:
        cand1 = cand1.unionByName(stars)
    cand = cand1.select("i", "j", F.lit(True).alias("in1"), F.lit(False).alias("in2"))
    if config.short_words and n_short >= 2:
        key_sigs = feats.where("short").select("ord", "s_tok").mapInArrow(
            lambda it: _key_signatures(it, config, stats), "ord long, sig binary")
        rule = config.short_rule
        cand2 = banded_candidates(key_sigs, rule.bands, rule.rows, block)
        cand = cand.unionByName(cand2.select("i", "j", F.lit(False).alias("in1"), F.lit(True).alias("in2")))
        cand = cand.groupBy("i", "j").agg(F.max("in1").alias("in1"), F.max("in2").alias("in2"))
    side = feats.drop("sig")
    left = side.select(*[F.col(c).alias("l_" + c) for c in side.columns])
    right = side.select(*[F.col(c).alias("r_" + c) for c in side.columns])
    joined = cand.join(left, cand.i == left.l_ord).join(right, cand.j == right.r_ord)
    pairs = joined.mapInArrow(lambda it: verify_rows(it, config, stats), PAIR_SCHEMA).persist()

    # Components: on the driver while the pairs fit, else distributed.
    edges = pairs.select(F.col("left").alias("src"), F.col("right").alias("dst"))
    n_pairs = pairs.count()
    if n_pairs <= driver_edges:
        from .cluster import groups

        edge_list = [Pair(r[0], r[1], 0.0, 0.0, 0.0) for r in edges.collect()]
        comps = [(node, comp[0]) for comp in _groups_sparse(edge_list, groups) for node in comp]
        # Small enough to send to every task: the features and pairs are not shuffled to meet it.
        labels = F.broadcast(spark.createDataFrame(comps or [], "node long, comp long"))
    else:
        from .spark_components import star_components

        labels = star_components(edges)
    by_pair = pairs.join(labels, pairs.left == labels.node).groupBy("comp").agg(
        F.collect_list(F.struct(*[F.col(c) for c in pairs.columns])).alias("pairs"))
    by_doc = side.join(labels, side.ord == labels.node).groupBy("comp").agg(
        F.collect_list(F.struct(*[F.col(c) for c in side.columns])).alias("docs"))
    found = by_pair.join(by_doc, "comp").mapInArrow(lambda it: cluster_rows(it, config, stats), CLUSTER_SCHEMA)
    numbered = found.rdd.sortBy(lambda r: r["first"]).zipWithIndex().map(
        lambda rn: (rn[1], rn[0]["keep"], rn[0]["members"]))
    clusters = spark.createDataFrame(numbered, "cluster long, keep string, members " + CLUSTER_SCHEMA.split(
        "members ", 1)[1])
    members = clusters.select("cluster", F.size("members").alias("size"),
                              F.posexplode("members").alias("rank", "m")).select(
        "cluster", "size", "rank", "m.id", "m.jaccard", "m.containment", "m.keep")
    ids = side.select("ord", "id")
    named = (pairs.join(ids.select(F.col("ord").alias("left"), F.col("id").alias("a")), "left")
             .join(ids.select(F.col("ord").alias("right"), F.col("id").alias("b")), "right")
             .select("left", "right", "a", "b", "jaccard", F.col("left_in_right").alias("containment_a_in_b"),
                     F.col("right_in_left").alias("containment_b_in_a"), "rule", "days", "figures", "subject",
                     "correction"))
    return SparkScan(named, members, clusters, cand1, bands, rows, config, int(n_docs))


def _groups_sparse(pairs: list[Pair], groups: Any) -> list[list[int]]:
    """:func:`dedup.cluster.groups` over documents numbered sparsely (input order, not 0..n-1)."""
    nodes = sorted({p.left for p in pairs} | {p.right for p in pairs})
    where = {v: k for k, v in enumerate(nodes)}
    dense = [Pair(where[p.left], where[p.right], 0.0, 0.0, 0.0) for p in pairs]
    return [[nodes[k] for k in comp] for comp in groups(len(nodes), dense)]


def _key_signatures(batches: Iterator[Any], config: ScanConfig, stats: Any) -> Iterator[Any]:
    """Signatures of the short documents' key tokens (their rare words), for those that have any."""
    import pyarrow as pa

    hasher = config.short_rule.hasher(config.num_perm, config.seed)
    common = stats.value.common
    for rb in batches:
        ords = rb.column("ord").to_pylist()
        keys = [t[~np.isin(t, common)] for t in (_u(b) for b in rb.column("s_tok").to_pylist())]
        keep = [k for k, x in enumerate(keys) if len(x)]
        if not keep:
            continue
        values = np.concatenate([keys[k] for k in keep])
        lengths = np.asarray([len(keys[k]) for k in keep], np.int64)
        sigs = hasher.signatures_flat(values, lengths)
        yield pa.RecordBatch.from_pydict({"ord": [ords[k] for k in keep], "sig": [_b(s) for s in sigs]},
                                         schema=_arrow_schema("ord long, sig binary"))


def copies_apart(sigs: "DataFrame", max_bucket: int) -> tuple["DataFrame", Optional["DataFrame"]]:
    """As :func:`dedup.candidates.scan_candidate_pairs`: more than ``max_bucket`` documents with one signature
    are candidates with their first (smallest ord) only, and only it is banded. Returns the (ord, sig) rows
    to band and the pairs (i, j) of the copies with their first (None when there is no such group). Copies
    are found by a 64-bit hash of the signature first, then by the signature itself."""
    from pyspark.sql import functions as F

    if not max_bucket:
        return sigs, None
    many = sigs.groupBy(F.xxhash64("sig").alias("h")).count().where(F.col("count") > max_bucket)
    if not many.limit(1).count():
        return sigs, None
    hashed = sigs.withColumn("h", F.xxhash64("sig"))
    suspects = hashed.join(F.broadcast(many.select("h")), "h")
    groups = suspects.groupBy("sig").agg(F.min("ord").alias("first"), F.count("*").alias("n")).where(
        F.col("n") > max_bucket).select("sig", "first")
    marked = sigs.join(groups, "sig", "left")
    stars = marked.where("first is not null and ord != first").select(F.col("first").alias("i"),
                                                                      F.col("ord").alias("j"))
    return marked.where("first is null or ord = first").select("ord", "sig"), stars


def banded_candidates(sigs: "DataFrame", bands: int, rows: int, block: int, max_bucket: int = 0) -> "DataFrame":
    """Candidate pairs (i, j), ``i < j``, each once, of a DataFrame (ord, sig): those of
    ``dedup.candidates.candidate_pairs(signatures, bands, rows, max_bucket)``.

    Band keys are exploded and grouped into the local scan's buckets. A
    bucket of more than ``max_bucket`` members is split in one task
    (:func:`split_bucket`), which holds its members' signatures; every
    bucket or group of a split one is cut into blocks of ``block``, so no
    task enumerates more than ``block * block`` pairs; a pair is emitted in
    the first band where it is a candidate, each document carrying its
    groups in the split buckets it is in.
    """
    from pyspark.sql import functions as F

    keyed = sigs.mapInArrow(lambda it: band_rows(it, bands, rows), BAND_SCHEMA)
    buckets = keyed.groupBy("band", "hkey").agg(F.collect_list("ord").alias("m")).where(F.size("m") > 1)
    unsplit = F.lit(UNSPLIT).cast("long").alias("sub")
    docs = sigs
    any_heavy = False
    if max_bucket:
        # Kept: the buckets feed the blocks and, when one is heavy, its split; shuffled once.
        buckets = buckets.persist()
        any_heavy = bool(buckets.where(F.size("m") > max_bucket).limit(1).count())
    if any_heavy:
        heavy = buckets.where(F.size("m") > max_bucket).select("band", "hkey", F.explode("m").alias("ord"))
        # Kept: the groups of the split buckets feed their blocks and each document's groups.
        split = heavy.join(sigs, "ord").groupBy("band", "hkey").applyInArrow(
            lambda t: split_bucket(t, rows, max_bucket), GROUP_SCHEMA).persist()
        parts = split.groupBy("band", "hkey", "sub").agg(F.collect_list("ord").alias("m")).where(F.size("m") > 1)
        groups = buckets.where(F.size("m") <= max_bucket).select("band", "hkey", unsplit, "m").unionByName(parts)
        docs = sigs.join(split.groupBy("ord").agg(F.collect_list(F.struct("band", "sub")).alias("subs")), "ord",
                         "left")
    else:
        groups = buckets.select("band", "hkey", unsplit, "m")
    tasks = groups.mapInArrow(lambda it: block_rows(it, block), TASK_SCHEMA)
    return tasks.join(docs, "ord").groupBy("band", "hkey", "sub", "ta", "tb").applyInArrow(
        lambda t: task_pairs(t, rows), "i long, j long")

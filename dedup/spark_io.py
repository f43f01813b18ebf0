"""Spark sessions, inputs and outputs for :mod:`dedup.spark`: a quiet local
session, the input files listed on any file system Hadoop reads (local
paths, hdfs://, s3a://, gs://, abfss://), their records read into the scan's
document DataFrame, and ``dedup spark scan`` writing its ordered part files.

pyspark is imported inside the functions that use it (``pip install 'dedup[spark]'``).
"""

from __future__ import annotations

import gzip
import json
import re
import os
import posixpath
import zlib
from dataclasses import dataclass
from datetime import timezone
from typing import TYPE_CHECKING, Any, Optional, Sequence

from .config import ScanConfig
from .errors import ConfigError, DedupError, InputError
from .spark import DOC_SCHEMA, SPARK_MISSING, micros, scan_documents_frame

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def quiet_session(master: str = "local[2]", partitions: int = 4, app: str = "dedup",
                  conf: Optional[dict[str, str]] = None) -> "SparkSession":
    """A Spark session for one machine that prints nothing but errors.

    Args:
        master: the Spark master.
        partitions: ``spark.sql.shuffle.partitions``.
        app: the application's name.
        conf: more Spark settings.

    Raises:
        ConfigError: pyspark or Java is missing.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(f"{SPARK_MISSING}.") from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if master.startswith("local"):
        # The Python workers of a local session import the same dedup as this process.
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if here not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([here] + [p for p in paths if p])
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(partitions))
               .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
               .config("spark.python.worker.reuse", "true"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # py4j raises a bare Exception when no Java runs
        raise ConfigError(f"{SPARK_MISSING}: could not start Spark ({str(exc).splitlines()[0]}).") from exc
    # A failed task's stack trace is not logged: the command says the cause in one line.
    spark.sparkContext.setLogLevel("FATAL")
    return spark


_GLOB = re.compile(r"([\\{}\[\]*?])")


def hadoop_literal(path: str) -> str:
    """A listed file's path as Hadoop's readers take it literally: they expand ``{} [] * ?`` as a glob
    pattern (a file named ``report[1].txt`` matched nothing), unless escaped with a backslash."""
    return _GLOB.sub(r"\\\1", path)


def is_uri(path: str) -> bool:
    """Whether ``path`` is a Hadoop URI (else a local path)."""
    return "://" in path or path.startswith(("hdfs:", "s3a:", "s3:", "gs:", "abfs:", "abfss:", "file:"))


def list_inputs(spark: "SparkSession", sources: Sequence[str]) -> list[tuple[str, str]]:
    """(file, id prefix) of each input, in the local reader's order: a folder's files sorted by their path
    relative to it, hidden ones and unknown suffixes left out.

    Local paths are listed as :func:`dedup.sources.expand_inputs` does; other
    URIs through Hadoop's FileSystem (any scheme Spark is configured for).
    """
    from .io import SUFFIXES
    from .sources import expand_inputs

    def suffix(name: str) -> str:
        name = name.lower()
        return posixpath.splitext(name[:-3] if name.endswith(".gz") else name)[1]

    def kept(name: str, in_folder: bool) -> bool:
        kind = suffix(name)
        if in_folder and kind not in SUFFIXES:
            return False
        if name.startswith(("_", ".")):
            # Hadoop's readers pass over such a file, named or not: it would be left out without a word.
            raise InputError(f"{name}: Spark's file readers pass over a file whose name starts with '_' or '.'; "
                             "rename it to scan it with Spark (or scan with dedup scan)", name)
        if kind in UNREAD:
            raise InputError(f"{name}: the Spark engine reads JSON lines, Parquet and text files, not {kind} "
                             "(convert it to JSON lines, or scan it with dedup scan)", name)
        return True

    out: list[tuple[str, str]] = []
    if not any(is_uri(s) for s in sources):
        for path, rel, inside in expand_inputs(list(sources)):
            if path is None:
                raise InputError("-: the Spark engine reads files, not standard input (save it to a file)", "-")
            if kept(path.name, inside is not None):
                out.append((os.path.abspath(path), rel))
        return out
    several = len(sources) > 1  # a folder's files named relative to it only when it is all that was named
    for src in sources:
        found = _hadoop_files(spark, src if is_uri(src) else os.path.abspath(src))
        for uri, rel in found:
            in_folder = len(found) > 1 or rel != uri
            if kept(uri.rsplit("/", 1)[-1], in_folder):
                name = src if not in_folder else (src.rstrip("/") + "/" + rel if several else rel)
                out.append((uri, name))
    return out


#: Kinds the local reader reads that this engine does not (a file of them is refused, not misread).
UNREAD = (".csv", ".tsv", ".json", ".html", ".htm", ".xhtml")


def _hadoop_fs(spark: "SparkSession", uri: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path  # type: ignore[attr-defined]


def _hadoop_files(spark: "SparkSession", uri: str) -> list[tuple[str, str]]:
    fs, path = _hadoop_fs(spark, uri)
    if not fs.exists(path):
        raise InputError(f"{uri}: no such file or folder (check the URI)", uri)
    if not fs.getFileStatus(path).isDirectory():
        return [(uri, uri)]
    root = fs.getFileStatus(path).getPath().toString().rstrip("/")
    found = []
    it = fs.listFiles(path, True)
    while it.hasNext():
        full = it.next().getPath().toString()
        rel = full[len(root) + 1:]
        if any(part.startswith(".") or part.startswith("_") for part in rel.split("/")):
            continue
        found.append((full, rel))
    return sorted(found, key=lambda fr: fr[1])


@dataclass(frozen=True)
class RecordFields:
    """How JSON and Parquet records map to documents (``--id-field``, ``--text-field``, ``--date-field``)."""

    id_field: Optional[str] = None
    text_field: Optional[str] = None
    date_field: Optional[str] = None


def record_document(rec: Any, rel: str, number: int, fields: RecordFields
                    ) -> Optional[tuple[str, str, Optional[int], Optional[int], Optional[str]]]:
    """(id, text, date and later update in microseconds, title apart from the text) of one JSON or Parquet
    record, as the local reader makes them; None when the record has no text or no id in ``fields.id_field``."""
    from .io import DATE_FIELDS, ID_FIELDS, MAX_DOCUMENT_BYTES, parse_date, pick_field, record_text
    from .records import record_id, record_title, record_updated, title_apart

    if not isinstance(rec, dict):
        return None
    body = record_text(rec, fields.text_field)
    if body is None or len(body) > MAX_DOCUMENT_BYTES:
        return None
    rid = pick_field(rec, fields.id_field, ID_FIELDS)
    if isinstance(rid, (dict, list)):  # skipped, as the local reader skips it
        return None
    if rid is None:
        if fields.id_field is not None:
            return None
        doc_id = f"{rel}:{number}"
    else:
        doc_id = record_id(rid)
    date = parse_date(pick_field(rec, fields.date_field, DATE_FIELDS))
    return doc_id, body, micros(date), micros(record_updated(rec, date)), title_apart(record_title(rec), body)


def read_inputs(spark: "SparkSession", sources: Sequence[str], fields: RecordFields = RecordFields(),
                encoding: Optional[str] = None, dropped: Any = None) -> "DataFrame":
    """Articles of JSON lines, Parquet and text files (local paths or Hadoop URIs) as a DataFrame of
    :data:`DOC_SCHEMA`, with the ids, texts, dates and order of the local reader.

    JSON lines (``.jsonl``, ``.ndjson``, optionally ``.gz``) are read line by
    line; Parquet row by row; any other file is one article (its id the path,
    its date the modification time). ``dropped``, a Spark accumulator, is
    added to for each record or file left out (a malformed line, no text,
    binary or undecodable data), which the local reader names one by one
    (a stage run again adds again: a count of at least one is what it tells).
    """
    from pyspark.sql import functions as F

    from .decode import looks_binary
    from .io import MAX_DOCUMENT_BYTES, decode

    files = list_inputs(spark, sources)
    if not files:
        raise InputError(f"no input files in {', '.join(sources)} (.jsonl .parquet .txt .md ...)", sources[0])
    sc = spark.sparkContext
    frames = []
    texts = []
    for k, (uri, rel) in enumerate(files):
        name = uri.lower()
        base = k << 40
        if not is_uri(uri) and not os.path.isfile(uri):  # a broken link: the local reader notes it and reads on
            if dropped is not None:
                dropped.add(1)
            continue
        if name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
            # Lines end at line feeds only, as the local reader's do (textFile ends one at a lone carriage
            # return too, which JSON allows between tokens); a CRLF line keeps its CR, whitespace to JSON.
            lines = sc.newAPIHadoopFile(hadoop_literal(uri), "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                                        "org.apache.hadoop.io.LongWritable", "org.apache.hadoop.io.Text",
                                        conf={"textinputformat.record.delimiter": "\n"}).values().zipWithIndex()

            def parse(item: tuple[str, int], rel: str = rel, base: int = base) -> list[tuple]:
                line, number = item
                if not line.strip():
                    return []
                try:
                    # As the local reader: a line over the document limit, or nested too deep, is left out.
                    rec = None if len(line) > MAX_DOCUMENT_BYTES or (
                        len(line) * 4 > MAX_DOCUMENT_BYTES
                        and len(line.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES) else json.loads(line)
                except (ValueError, RecursionError):
                    rec = None
                got = record_document(rec, rel, number + 1, fields)
                if got is None and dropped is not None:
                    dropped.add(1)
                return [] if got is None else [(base + number + 1, got[0], got[1], got[2], False, got[3], got[4])]

            frames.append(lines.flatMap(parse))
        elif name.endswith(".parquet"):
            from pyspark.errors import PySparkException

            try:
                table = spark.read.parquet(hadoop_literal(uri))
            except PySparkException as exc:  # a column of a type Spark has not (FLOAT16, TIME, nanoseconds)
                cause = " ".join(str(exc).split())[:200]
                raise InputError(f"{uri}: Spark cannot read this Parquet file ({cause}); convert it, or scan it "
                                 "with dedup scan", uri) from exc
            # Spark hands a timestamp column's values over as local times without a zone (a column without
            # a zone, as written: the local reader takes those as UTC).
            local = frozenset(f.name for f in table.schema.fields if type(f.dataType).__name__ == "TimestampType")

            def parse_row(item: tuple[Any, int], rel: str = rel, base: int = base,
                          local: frozenset = local) -> list[tuple]:
                row, number = item
                rec = row.asDict(recursive=True)
                for name in local & rec.keys():
                    if rec[name] is not None:
                        rec[name] = rec[name].astimezone(timezone.utc)
                got = record_document(rec, rel, number + 1, fields)
                if got is None and dropped is not None:
                    dropped.add(1)
                return [] if got is None else [(base + number + 1, got[0], got[1], got[2], False, got[3], got[4])]

            frames.append(table.rdd.zipWithIndex().flatMap(parse_row))
        else:
            texts.append((k, uri, rel))
    if texts:
        by_path = {uri: (k, rel) for k, uri, rel in texts}
        raw = spark.read.format("binaryFile").load([hadoop_literal(uri) for _, uri, _ in texts]).select(
            "path", "modificationTime", "content")

        def text_doc(row: Any) -> list[tuple]:
            key = row["path"]
            hit = by_path.get(key) or by_path.get(key.replace("file:", "", 1)) or \
                by_path.get(key.replace("file://", "", 1))
            if hit is None:
                return []
            k, rel = hit
            data = bytes(row["content"])
            try:
                if key.lower().endswith(".gz"):  # a .txt.gz, as the local reader reads it
                    data = gzip.decompress(data)
                text = "" if looks_binary(data, encoding) else decode(data, encoding)  # as the local reader
            except (OSError, EOFError, zlib.error, InputError):
                text = ""
            if not text.strip():
                if dropped is not None:
                    dropped.add(1)
                return []
            mtime = row["modificationTime"].astimezone(timezone.utc)  # a local time without a zone, from Spark
            return [(k << 40, rel, text, micros(mtime), True, None, None)]

        frames.append(raw.rdd.flatMap(text_doc))
    # One union of all the files: unions chained file by file nest as deep as there are files, and Spark
    # overflowed its stack serializing 300 of them.
    if not frames:
        raise InputError(f"no readable input files in {', '.join(sources)} (broken links?)", sources[0])
    rdd = frames[0] if len(frames) == 1 else sc.union(frames)
    df = spark.createDataFrame(rdd, DOC_SCHEMA)
    return df.select("ord", "id", "text", "date_us", F.col("mtime").cast("boolean"), "updated_us", "title")


def scan_paths(spark: "SparkSession", sources: Sequence[str], output: str, config: Optional[ScanConfig] = None,
               pairs: bool = False, fields: RecordFields = RecordFields(), encoding: Optional[str] = None,
               on_dropped: Optional[Any] = None) -> int:
    """``dedup spark scan``: read the inputs, scan them and write the JSON lines of ``dedup scan --format jsonl``
    (``pairs``: ``--pairs``) into folder ``output`` as ordered part files (``part-00000`` ...), whose
    concatenation in name order is the local output byte for byte.

    Returns:
        Number of lines written. ``on_dropped()`` is called when records or files were left out.

    Raises:
        InputError: an input is missing, or ``output`` exists already.
    """
    if _exists(spark, output):
        raise output_exists(output, _exists(spark, output.rstrip("/") + "/_SUCCESS"))
    try:
        dropped = spark.sparkContext.accumulator(0)
        result = scan_documents_frame(read_inputs(spark, sources, fields, encoding, dropped), config or ScanConfig())
        if not result.documents:  # as the local scan: not a night with nothing new
            raise InputError(f"no documents read from {', '.join(sources)}: no record has text (choose the fields "
                             "with --text-field, --id-field) and no file is text", sources[0])
        lines = result.jsonl(pairs=pairs).persist()
        n = lines.count()
        lines.saveAsTextFile(output)
        if dropped.value and on_dropped is not None:
            on_dropped()
    except Exception as exc:  # py4j's Py4JJavaError: a task failed (a damaged input, say)
        if isinstance(exc, DedupError) or type(exc).__name__ != "Py4JJavaError":
            raise
        cause = spark_cause(str(exc))
        damaged = damaged_gzip(sources) if "EOF" in cause or "Zip" in cause or "gzip" in cause.lower() else []
        if damaged:
            shown = ", ".join(damaged[:3]) + (f" and {len(damaged) - 3:,} more" if len(damaged) > 3 else "")
            raise DedupError(f"the Spark job failed ({cause}): {shown} {'is' if len(damaged) == 1 else 'are'} "
                             f"damaged or cut short (gzip -t tells); repair or leave out what is and run again, "
                             f"after removing {output} if it was left", damaged[0]) from exc
        raise DedupError(f"the Spark job failed ({cause}); check the inputs (a damaged .gz or .parquet file?) "
                         f"and run again, after removing {output} if it was left", output) from exc
    return n


def damaged_gzip(sources: Sequence[str]) -> list[str]:
    """The local ``.gz`` inputs that do not decompress to their end (looked for once a Spark job has
    failed on one: Spark's error does not say which). Inputs that are URIs are not looked at."""
    import gzip
    import zlib

    from .sources import expand_inputs

    if any(is_uri(s) for s in sources):
        return []
    found = []
    for path, _, _ in expand_inputs(list(sources)):
        if path is None or not path.name.lower().endswith(".gz"):
            continue
        try:
            with gzip.open(path, "rb") as fh:
                while fh.read(1 << 20):
                    pass
        except (OSError, EOFError, zlib.error):
            found.append(str(path))
    return found


def output_exists(output: str, finished: bool) -> InputError:
    """The error for an output folder that exists: a result (``finished``: it holds ``_SUCCESS``), or what
    an interrupted run left."""
    if finished:
        return InputError(f"{output}: already exists; give a new folder (dedup never overwrites a result)", output)
    return InputError(f"{output}: already exists, with no _SUCCESS in it (what an interrupted run leaves, or "
                      "another folder); remove it or give a new folder", output)


def spark_cause(message: str) -> str:
    """The root cause in a Java stack trace's text, on one line: its last ``Caused by:``, else its first
    line naming an exception."""
    lines = [line.strip() for line in message.splitlines()]
    causes = [line[len("Caused by: "):] for line in lines if line.startswith("Caused by: ")]
    named = causes[-1:] or [line for line in lines if "Exception" in line or "Error" in line][:1] or lines[:1]
    return named[0][:300] if named else "no message"


def _exists(spark: "SparkSession", path: str) -> bool:
    if not is_uri(path):
        return os.path.exists(path)
    fs, p = _hadoop_fs(spark, path)
    return bool(fs.exists(p))

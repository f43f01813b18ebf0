"""Connected components of verified pairs on Spark, for collections whose pairs outgrow the driver: the
cluster stage's first step, as :func:`dedup.cluster.groups` is in one process."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def star_components(edges: "DataFrame", checkpoint_every: int = 3) -> "DataFrame":
    """Connected components of an edge list (src, dst), distributed: the large-star / small-star
    alternation of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014).

    Returns:
        DataFrame (node, comp): every node of an edge and the smallest node
        of its component.
    """
    from pyspark.sql import functions as F

    e = edges.select(F.greatest("src", "dst").alias("a"), F.least("src", "dst").alias("b")).where("a != b").distinct()
    step = 0
    while True:
        # Large star: each node's larger neighbours attach to the smallest node of its neighbourhood.
        sym = e.select(F.col("a").alias("u"), F.col("b").alias("v")).unionByName(
            e.select(F.col("b").alias("u"), F.col("a").alias("v")))
        low = sym.groupBy("u").agg(F.min("v").alias("m")).select("u", F.least("u", "m").alias("m"))
        large = sym.join(low, "u").where("v > u").select(F.col("v").alias("a"), F.col("m").alias("b")).distinct()
        # Small star: each node and its smaller neighbours attach to the smallest of them.
        low2 = large.groupBy("a").agg(F.min("b").alias("m"))
        small = (large.join(low2, "a").select(F.col("b").alias("a"), F.col("m").alias("b"))
                 .unionByName(low2.select("a", F.col("m").alias("b"))).where("a != b").distinct())
        step += 1
        small = small.localCheckpoint() if step % checkpoint_every == 0 else small.persist()
        changed = small.exceptAll(e).limit(1).count() + e.exceptAll(small).limit(1).count()
        e = small
        if not changed:
            break
    roots = e.select(F.col("b").alias("node"), F.col("b").alias("comp")).distinct()
    return e.select(F.col("a").alias("node"), F.col("b").alias("comp")).unionByName(roots).distinct()

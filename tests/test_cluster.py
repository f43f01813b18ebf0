from datetime import datetime, timezone

import pytest

from dedup.cluster import UnionFind, choose_keep, groups, trusted_groups
from dedup.errors import ConfigError
from dedup.occasion import OccasionRule
from dedup.verify import Pair


def _p(a, b):
    return Pair(a, b, 0.9, 0.9, 0.9)


def test_groups_are_connected_components_in_input_order():
    assert groups(7, [_p(5, 6), _p(0, 3), _p(3, 4)]) == [[0, 3, 4], [5, 6]]
    assert groups(3, []) == []


def test_union_find_transitive():
    uf = UnionFind(4)
    uf.union(0, 1)
    uf.union(2, 3)
    uf.union(1, 3)
    assert len({uf.find(i) for i in range(4)}) == 1


def test_keep_policies():
    lengths = [10, 30, 20, 30]
    d = [datetime(2020, 1, i + 1, tzinfo=timezone.utc) for i in range(4)]
    d[3] = None
    members = [0, 1, 2, 3]
    assert choose_keep(members, "first", lengths, d) == 0
    assert choose_keep(members, "longest", lengths, d) == 1  # tie with 3 goes to the first read
    assert choose_keep(members, "shortest", lengths, d) == 0
    assert choose_keep(members, "newest", lengths, d) == 2  # a missing date never wins


def test_keep_policy_unknown():
    with pytest.raises(ConfigError,
                       match="The 'keep' parameter must be one of first, longest, newest, oldest, shortest"):
        choose_keep([0, 1], "biggest", [1, 2], [None, None])


def test_a_correction_is_kept_before_the_copies_it_supersedes():
    lengths, dates = [900, 300, 500], [None] * 3
    corrections = [False, True, True]
    assert choose_keep([0, 1, 2], "longest", lengths, dates) == 0
    assert choose_keep([0, 1, 2], "longest", lengths, dates, corrections) == 2  # the longest correction
    assert choose_keep([0, 1, 2], "first", lengths, dates, corrections) == 1
    assert choose_keep([0, 1, 2], "longest", lengths, dates, [False] * 3) == 0


def test_a_scan_keeps_the_corrected_story_though_the_original_is_longer(tmp_path):
    from dedup import scan

    story = ("General Motors Corp said it will idle six assembly plants for a week starting {} six for "
             "inventory adjustment, affecting 21,600 workers. Five of the plants are in the United States. "
             "The sixth is in Canada. The company said sales of its cars fell in the first quarter. ")
    (tmp_path / "a.txt").write_text("GM TO IDLE SIX PLANTS\n\n" + story.format("August") * 3
                                    + "Analysts expected more closings later in the year.")
    (tmp_path / "b.txt").write_text("CORRECTED - GM TO IDLE SIX PLANTS\n\n" + story.format("April") * 3)
    result = scan([tmp_path])
    assert [(c.keep, [m.id for m in c.members]) for c in result.clusters] == [("b.txt", ["b.txt", "a.txt"])]


def test_a_copy_of_a_member_joins_its_cluster_though_it_differs_from_the_kept_copy():
    # 0 is kept; 1 verifies against it; 2 is a copy of 1 (the same text) whose first line the occasion check
    # reads as another subject than 0's: it was left in no cluster, a copy counted as unique.
    adjacent = {0: {1}, 1: {0, 2}, 2: {1}}
    compatible = lambda keep, j: j != 2  # noqa: E731
    assert trusted_groups([0, 1, 2], adjacent, min, compatible) == [[0, 1]]
    assert trusted_groups([0, 1, 2], adjacent, min, compatible, lambda k, a, b: {a, b} == {1, 2}) == [[0, 1, 2]]
    # A document that only verifies against a member, not as its copy, stays out (a report of another day).
    assert trusted_groups([0, 1, 2], adjacent, min, compatible, lambda k, a, b: False) == [[0, 1]]
    # A copy brings in no copy of its own: copies of copies, a few words changed each, drifted days from
    # the kept copy.
    chain = {0: {1}, 1: {0, 2}, 2: {1, 3}, 3: {2}}
    assert trusted_groups([0, 1, 2, 3], chain, min, lambda keep, j: j == 1, lambda k, a, b: True) == [[0, 1, 2]]


def test_copies_of_copies_do_not_carry_a_cluster_past_its_date_window(tmp_path):
    # Six versions of one text a day apart, three more words changed each day: each is a copy of the one
    # before. Joined copy by copy, one cluster held versions five days from the kept one. A long story
    # refiled within 3 days (no figure changed) is one report, so a cluster spans at most that.
    import json
    from datetime import timedelta

    from conftest import SEEDS
    from dedup import scan

    words = sorted(SEEDS.glob("002_*"))[0].read_text(encoding="utf-8").split()
    path = tmp_path / "chain.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for day in range(6):
            for k in range(3 * day):
                words[40 + 11 * k] = f"changed{k}"
            date = datetime(2024, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=day)
            fh.write(json.dumps({"id": f"day{day}", "date": date.isoformat(), "text": " ".join(words)}) + "\n")
    result = scan([str(path)], keep="first")
    dates = {d.id: d.date for d in result.documents}
    assert result.clusters
    refile = timedelta(days=OccasionRule().refile_days)
    for cluster in result.clusters:
        assert all(abs(dates[m.id] - dates[cluster.keep]) < refile for m in cluster.members)
    assert [[m.id for m in c.members] for c in result.clusters] == [["day0", "day1", "day2"], ["day3", "day4", "day5"]]

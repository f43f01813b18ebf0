from datetime import datetime, timezone

import pytest

from dedup.cluster import UnionFind, choose_keep, groups
from dedup.errors import ConfigError
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
    with pytest.raises(ConfigError, match="The 'keep' parameter must be one of first, longest, newest, shortest"):
        choose_keep([0, 1], "biggest", [1, 2], [None, None])

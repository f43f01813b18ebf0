"""Hostile input against the Redis index: key isolation and password redaction.

Needs redis-server and the redis package (skipped otherwise), like
tests/test_index_redis.py, whose server fixture it shares.
"""

from __future__ import annotations


import pytest
from click.testing import CliRunner

from dedup import DedupError, Index
from dedup.cli import cli

from test_index_redis import _free_port, redis, redis_url, running_redis, seed_text, S0, S1, S2  # noqa: F401


def test_document_ids_cannot_reach_another_index(redis_url):
    with Index("a:d:x", redis=redis_url) as victim:
        victim.add([("story", seed_text(S0))])
    with Index("a", redis=redis_url) as attacker:
        attacker.add([("x:meta", seed_text(S1)), ("x:ids", seed_text(S2))])
    with Index.open("a:d:x", redis=redis_url) as victim:
        assert len(victim) == 1 and "story" in victim
        assert victim.info().settings["num_perm"] == 128
    with Index.open("a", redis=redis_url) as attacker:
        assert len(attacker) == 2 and "x:meta" in attacker


def test_index_names_with_colons_and_backslashes_are_apart(redis_url):
    names = ["p:q", "p\\:q", "p", "p\\"]
    for n, name in enumerate(names):
        with Index(name, redis=redis_url) as index:
            index.add([(f"doc{n}", seed_text(S0))])
    for n, name in enumerate(names):
        with Index.open(name, redis=redis_url) as index:
            assert len(index) == 1 and f"doc{n}" in index


@pytest.fixture(scope="module")
def secret_redis():
    with running_redis("s3cr3t-pw") as got:
        yield got


def test_redis_password_is_never_printed(secret_redis):
    url, port = secret_redis
    runner = CliRunner()
    r = runner.invoke(cli, ["index", "add", "news", str(__import__("conftest").SEEDS), "--redis", url, "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["index", "info", "news", "--redis", url])
    assert r.exit_code == 0 and "s3cr3t-pw" not in r.output
    assert f"index: redis://:***@127.0.0.1:{port}/0 index 'news'" in r.output
    r = runner.invoke(cli, ["index", "info", "news", "--redis", url, "--format", "json"])
    assert "s3cr3t-pw" not in r.output
    wrong = f"redis://:wrong-pw@127.0.0.1:{port}/0"
    r = runner.invoke(cli, ["index", "info", "news", "--redis", wrong])
    assert r.exit_code == 1 and "wrong-pw" not in r.output and "redis://:***@" in r.output
    with pytest.raises(DedupError) as err:
        Index("news", redis=f"redis://:s3cr3t-pw@127.0.0.1:{_free_port()}/0")
    assert "s3cr3t-pw" not in str(err.value) and "cannot reach Redis at redis://:***@127.0.0.1" in str(err.value)


def test_a_missing_or_wrong_password_is_named_as_such(secret_redis):
    url, port = secret_redis
    runner = CliRunner()
    r = runner.invoke(cli, ["index", "info", "news", "--redis", f"redis://127.0.0.1:{port}/0"])
    assert r.exit_code == 1 and r.output == (f"Error: Redis at redis://127.0.0.1:{port}/0 needs a password; give it "
                                             "in the URL, as redis://:PASSWORD@host:6379/0\n")
    r = runner.invoke(cli, ["index", "info", "news", "--redis", f"redis://:wrong-pw@127.0.0.1:{port}/0"])
    assert r.exit_code == 1 and "refused the password" in r.output and "start the server" not in r.output


def test_the_no_such_index_hint_quotes_names_a_shell_would_split(redis_url, tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["index", "info", "my news", "--redis", redis_url])
    assert r.exit_code == 1 and "`dedup index add 'my news' PATH... --redis redis://127.0.0.1:" in r.output
    r = runner.invoke(cli, ["index", "info", str(tmp_path / "my news.db")])
    assert r.exit_code == 1 and f"`dedup index add '{tmp_path / 'my news.db'}' PATH...`" in r.output

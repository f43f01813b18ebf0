"""Hostile input and faults, on the user's files: outputs never destroy an input, removal lists
and moves lose nothing even when killed or out of space, index ids never collide.

Kill and full-disk cases run dedup as a subprocess with a timeout.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import Document, Index
from dedup.cli import cli

from conftest import ROOT, SEED_PAIR, SEEDS, dedup_proc

A, B = SEED_PAIR


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


# ---------------------------------------------------------------- outputs never destroy inputs

@pytest.mark.parametrize("option", ["-o", "--report"])
def test_output_onto_an_input_is_refused(news, option):
    target = news / A
    before = target.read_bytes()
    r = run("scan", news, option, target)
    assert r.exit_code == 1
    assert r.stderr == (f"Error: {target} is one of the inputs ({target}); writing there would destroy an "
                        "article, choose another output file\n")
    assert target.read_bytes() == before


def test_output_onto_an_input_through_a_link_is_refused(news, tmp_path):
    link = tmp_path / "out.txt"
    link.symlink_to(news / A)
    before = (news / A).read_bytes()
    r = run("scan", news, "-o", link)
    assert r.exit_code == 1 and "is one of the inputs" in r.stderr
    assert (news / A).read_bytes() == before and link.is_symlink()


def test_an_output_that_is_a_device_does_not_walk_the_inputs(news, monkeypatch):
    import dedup.cli_options

    def walked(*args, **kwargs):
        raise AssertionError("the inputs were walked for an output that cannot be one of them")

    monkeypatch.setattr(dedup.cli_options, "expand_sources", walked)
    assert run("scan", news, "-o", os.devnull).exit_code == 0
    # An output that is a file still is looked for among them.
    assert isinstance(run("scan", news, "-o", news / A).exception, AssertionError)


def test_diff_output_onto_an_input_is_refused(tmp_path):
    a = tmp_path / "a.txt"
    shutil.copy(SEEDS / A, a)
    before = a.read_bytes()
    r = run("diff", a, SEEDS / B, "-o", a)
    assert r.exit_code == 1 and "is one of the inputs" in r.stderr and a.read_bytes() == before


def test_output_onto_a_read_only_file_is_refused(tmp_path):
    out = tmp_path / "keep.txt"
    out.write_text("precious\n")
    out.chmod(0o444)
    r = run("scan", SEEDS, "-o", out)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {out} is read-only; make it writable (chmod u+w) or choose another output file\n"
    assert out.read_text() == "precious\n" and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_output_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("old\n")
    out.chmod(0o600)
    assert run("scan", SEEDS, "-o", out).exit_code == 0
    assert out.read_text().startswith("5 documents") and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_output_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert run("scan", SEEDS, "-o", link).exit_code == 0
    assert link.is_symlink() and real.read_text().startswith("5 documents")


def test_output_into_a_fifo_writes_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = run("scan", SEEDS, "--duplicates", "-o", fifo)
    reader.join(10)
    assert r.exit_code == 0 and got == [f"{SEEDS / A}\n".encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _device(path, minor):
    """A private copy of a memory device (1, minor: 3 null, 7 full): a test never points -o at the real one."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        with open(path, "rb"):
            pass
    except OSError as exc:
        pytest.skip(f"cannot make or open a device node here ({exc.strerror})")
    return path


def test_output_to_a_device_is_written_not_replaced(tmp_path):
    # A "full" device's writes fail with ENOSPC: the error is one line, and
    # the node is still a device.
    full = _device(tmp_path / "full", 7)
    r = run("scan", SEEDS, "-o", full)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: could not write {full} (No space left on device)")
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    null = _device(tmp_path / "null", 3)
    r = run("scan", SEEDS, "-o", null)
    assert r.exit_code == 0 and stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]  # no temporary file left beside them


def test_parquet_output_to_a_device_a_fifo_or_a_link_is_written_through(tmp_path):
    # Parquet is written by pyarrow to a temporary name; that name was renamed onto the destination
    # whatever it was: as root, -o /dev/null -f parquet replaced the device with a regular file.
    pq = pytest.importorskip("pyarrow.parquet")
    real = tmp_path / "real.parquet"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.parquet"
    link.symlink_to(real)
    assert run("scan", SEEDS, "-o", link).exit_code == 0
    assert link.is_symlink() and pq.read_table(real).num_rows == 2 and stat.S_IMODE(real.stat().st_mode) == 0o640
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = run("scan", SEEDS, "-f", "parquet", "-o", fifo)
    reader.join(10)
    assert r.exit_code == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0] == real.read_bytes()
    folder = tmp_path / "out.parquet"
    folder.mkdir()
    r = run("scan", SEEDS, "-o", folder)
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {folder} is a folder; give a file name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.parquet", "out.parquet", "pipe", "real.parquet"]
    null = _device(tmp_path / "null", 3)
    assert run("scan", SEEDS, "-f", "parquet", "-o", null).exit_code == 0
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_output_into_a_folder_is_an_error(tmp_path):
    r = run("scan", SEEDS, "-o", tmp_path)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {tmp_path} is a folder; give a file name, such as {tmp_path / 'dedup.out'}\n"


def _file_limit(size):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_report_that_cannot_be_written_is_one_line_and_leaves_nothing(tmp_path):
    # A full disk (here: a file size limit) while the report's pages are written gave a traceback; so did
    # one that stopped the scan's temporary file as it was closed.
    report = tmp_path / "report"
    r = dedup_proc("scan", SEEDS, "--report", report, preexec_fn=_file_limit(14_000))  # a page is 19 KB
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" not in err
    assert err == (f"Error: could not write {report} (File too large); free some space or choose another place "
                   "(nothing was replaced)\n")
    assert list(tmp_path.iterdir()) == []
    r = dedup_proc("scan", SEEDS, preexec_fn=_file_limit(1_000))
    assert r.returncode == 1 and r.stderr.decode().startswith("Error: could not write the scan's temporary file in ")
    assert "Traceback" not in r.stderr.decode()


def test_file_size_limit_on_the_output_is_one_line_and_leaves_nothing(tmp_path):
    # The seeds' diff page is over 30 KB.
    out = tmp_path / "diff.html"
    r = dedup_proc("diff", SEEDS / A, SEEDS / B, "-f", "html", "-o", out, preexec_fn=_file_limit(20_000))
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" not in err
    assert err == (f"Error: could not write {out} (File too large); free some space or choose another place "
                   "(nothing was replaced)\n")
    assert list(tmp_path.iterdir()) == []


def test_full_temporary_folder_is_one_line(tmp_path):
    r = dedup_proc("scan", SEEDS, preexec_fn=_file_limit(2000), env_extra={"TMPDIR": str(tmp_path)})
    err = r.stderr.decode()
    assert r.returncode == 1
    assert err == (f"Error: could not write the scan's temporary file in {tmp_path} (File too large); free some "
                   "space there or point TMPDIR at a folder with room\n")


def test_file_names_that_are_not_utf8(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9 " + b"\xff.txt"
    shutil.copy(SEEDS / A, os.fsdecode(raw))
    shutil.copy(SEEDS / B, folder / B)
    r = dedup_proc("scan", folder, "--duplicates")
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout == raw + b"\n"  # the bytes of the name, usable by rm
    csv_out = os.fsencode(tmp_path) + b"/out\xe9.csv"  # the output's own name is not UTF-8 either
    r = dedup_proc("scan", folder, "-f", "csv", "-o", csv_out)
    assert r.returncode == 0 and b"caf\xe9 \xff.txt" in open(csv_out, "rb").read()
    r = dedup_proc("scan", folder, "--report", tmp_path / "r")
    assert r.returncode == 0 and b"Traceback" not in r.stderr
    r = dedup_proc("index", "add", tmp_path / "i.db", folder, "-q")
    assert r.returncode == 0 and r.stdout.startswith(b"added 2")
    r = dedup_proc("diff", os.fsdecode(raw), folder / B, "-f", "html", "-o", tmp_path / "d.html")
    assert r.returncode == 0 and b"Traceback" not in r.stderr


# ---------------------------------------------------------------- --duplicates for xargs

def test_duplicates_are_paths_from_the_current_folder_and_null_separated(tmp_path, monkeypatch):
    folder = tmp_path / "my news"
    folder.mkdir()
    shutil.copy(SEEDS / A, folder / "first copy.txt")
    shutil.copy(SEEDS / B, folder / "second copy.txt")
    monkeypatch.chdir(tmp_path)
    r = run("scan", "my news", "--duplicates", "--keep", "longest")
    assert r.stdout == "my news/first copy.txt\n"
    r = run("scan", "my news", "--duplicates", "-0")
    assert r.stdout == "my news/first copy.txt\0"
    assert all(Path(p).exists() for p in r.stdout.split("\0") if p)
    r = run("scan", "my news", "--unique", "--null")
    assert r.stdout.split("\0")[:-1] == ["my news/second copy.txt"]
    r = run("scan", "-h")
    assert "--duplicates -0 | xargs -0 rm" in r.stdout and "| xargs rm " not in r.stdout


def test_a_listed_path_that_starts_with_a_dash_is_not_an_option(tmp_path, monkeypatch):
    # Scanning ".", a file named "-i.txt" is read as "-i.txt"; listed so, `xargs -0 rm` takes it for options.
    shutil.copy(SEEDS / A, tmp_path / "-i.txt")
    shutil.copy(SEEDS / B, tmp_path / "b.txt")
    monkeypatch.chdir(tmp_path)
    r = run("scan", ".", "--duplicates", "-0", "--keep", "longest")
    assert r.exit_code == 0 and r.stdout == "./-i.txt\0"
    assert run("scan", ".", "--unique", "--keep", "shortest", "-f", "jsonl").stdout == '"./-i.txt"\n'
    gone = subprocess.run(["xargs", "-0", "rm"], input=r.stdout, text=True, capture_output=True)
    assert gone.returncode == 0, gone.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]


# ---------------------------------------------------------------- --move-duplicates

def test_move_duplicates_stays_inside_the_destination(tmp_path, monkeypatch):
    work = tmp_path / "work"
    (tmp_path / "in1").mkdir()
    (tmp_path / "in2").mkdir()
    work.mkdir()
    shutil.copy(SEEDS / B, tmp_path / "in1" / "story.txt")
    shutil.copy(SEEDS / A, tmp_path / "in2" / "story.txt")
    monkeypatch.chdir(work)
    r = run("scan", "../in1", "../in2", "--move-duplicates", "dupes")
    assert r.exit_code == 0, r.output
    assert sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file()) == ["dupes/in2/story.txt"]
    assert not (tmp_path / "in2" / "story.txt").exists() and (tmp_path / "in1" / "story.txt").exists()
    assert not (tmp_path / "dupes").exists()


@pytest.mark.parametrize("dest", ["dupes", "sub/dupes", "."])
def test_move_duplicates_into_the_scanned_folder_is_refused(news, dest):
    # A later scan would read the copies moved there, and could keep one of them and move the copy left
    # in place after it: the folder would hold no copy of the story. A hidden folder is never read.
    before = sorted(p for p in news.rglob("*"))
    r = run("scan", news, "--move-duplicates", news / dest)
    assert r.exit_code == 2 and f"is inside the scanned folder {news}, so a later scan would read" in r.output
    assert sorted(p for p in news.rglob("*")) == before
    r = run("scan", news, "--move-duplicates", news / ".duplicates")
    assert r.exit_code == 0 and "moved 1 duplicate file" in r.stderr
    kept = sorted(p.name for p in news.glob("*.txt"))
    again = run("scan", news, "--move-duplicates", news / ".duplicates")
    assert again.exit_code == 0 and "moved 0 duplicate files" in again.stderr
    assert sorted(p.name for p in news.glob("*.txt")) == kept and (A in kept) != (B in kept)


@pytest.mark.parametrize("alias", ["twice", "symlink", "hardlink"])
def test_move_duplicates_never_moves_the_kept_file_under_another_name(tmp_path, alias):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(SEEDS / B, news / B)
    sources = [news, news]
    if alias == "symlink":
        (news / "alias.txt").symlink_to(news / B)
        sources = [news]
    elif alias == "hardlink":
        os.link(news / B, news / "alias.txt")
        sources = [news]
    r = run("scan", *sources, "--move-duplicates", tmp_path / "dupes")
    assert r.exit_code == 0, r.output
    assert (news / B).read_text() == (SEEDS / B).read_text()
    assert not (tmp_path / "dupes").exists() or not any((tmp_path / "dupes").rglob("*.txt"))
    assert "read once" in r.stderr


def test_interrupted_move_is_finished_by_the_next_run(news, tmp_path):
    dupes = tmp_path / "dupes"
    dupes.mkdir()
    shutil.copy(news / A, dupes / A)  # what a run killed between copy and unlink leaves
    r = run("scan", news, "--move-duplicates", dupes)
    assert r.exit_code == 0 and "moved 1 duplicate file" in r.stderr
    assert not (news / A).exists() and (dupes / A).read_text() == (SEEDS / A).read_text()


def test_move_across_file_systems_on_a_full_disk_keeps_the_source(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another file system")
    # Two copies of a 300 KB article of few distinct shingles: the scan's
    # temporary file stays small, the copy does not fit under the limit.
    news = tmp_path / "news"
    news.mkdir()
    text = ((SEEDS / A).read_text() + "\n") * 80
    (news / B).write_text(text + "One more closing line for the kept copy.\n")
    (news / A).write_text(text)
    dest = shm / f"dedup-test-{os.getpid()}"
    try:
        r = dedup_proc("scan", news, "--move-duplicates", dest, preexec_fn=_file_limit(100_000))
        err = r.stderr.decode()
        assert r.returncode == 1 and "Traceback" not in err
        assert f"could not copy {news / A} to {dest / A} (File too large); {news / A} was left where it is" in err
        assert (news / A).read_text() == text
        assert not any(dest.rglob("*"))  # no truncated copy, no temporary file
        r = dedup_proc("scan", news, "--move-duplicates", dest)  # room again: the move completes
        assert r.returncode == 0 and (dest / A).read_text() == text
        assert not (news / A).exists()
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_move_killed_midway_loses_nothing_and_the_rerun_finishes(tmp_path):
    # SIGKILL as soon as the first duplicate reaches the destination, then run again.
    news = tmp_path / "news"
    news.mkdir()
    paragraph = (SEEDS / A).read_text()
    (news / "keep.txt").write_text((paragraph + "\n") * 100 + "The kept copy has one more line.\n")
    names = [f"dup{i:02d}.txt" for i in range(30)]
    for name in names:
        (news / name).write_text((paragraph + "\n") * 100)  # about 370 KB each
    original = (news / names[0]).read_bytes()
    shm = Path("/dev/shm")
    across = shm.is_dir() and os.stat(shm).st_dev != os.stat(tmp_path).st_dev
    dest = shm / f"dedup-kill-{os.getpid()}" if across else tmp_path / "dupes"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        # Thirty copies of one text are all boilerplate to the default rule: turn it off, keep the longest.
        proc = subprocess.Popen([sys.executable, "-m", "dedup", "scan", str(news), "-j", "1", "--boilerplate-share",
                                 "1", "--move-duplicates", str(dest)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if dest.exists() and any(p.suffix == ".txt" for p in dest.iterdir()):
                break
            time.sleep(0.001)
        proc.kill()
        proc.wait(30)
        for name in names:  # every duplicate is whole in one place, or in both (a finished copy)
            here, there = news / name, dest / name
            assert here.exists() or there.exists(), name
            for p in (here, there):
                if p.exists():
                    assert p.read_bytes() == original, p
        assert (news / "keep.txt").exists()
        r = dedup_proc("scan", news, "-j", "1", "--boilerplate-share", "1", "--move-duplicates", dest, timeout=120)
        assert r.returncode == 0, r.stderr.decode()
        assert sorted(p.name for p in news.iterdir()) == ["keep.txt"]
        assert sorted(p.name for p in dest.iterdir() if not p.name.startswith(".")) == names
        assert all((dest / n).read_bytes() == original for n in names)
        # What a kill can leave besides: hidden temporary copies, never a partial file under a real name.
        assert all(p.name.endswith(".partial") for p in dest.iterdir() if p.name.startswith("."))
    finally:
        shutil.rmtree(dest, ignore_errors=True)


# ---------------------------------------------------------------- index ids

def test_index_ids_are_unique_across_dated_folders(tmp_path):
    day1, day2 = tmp_path / "news" / "2026-11-21", tmp_path / "news" / "2026-11-22"
    day1.mkdir(parents=True)
    day2.mkdir(parents=True)
    shutil.copy(SEEDS / A, day1 / "kaiser.txt")
    shutil.copy(sorted(SEEDS.glob("002_*"))[0], day2 / "kaiser.txt")
    db = tmp_path / "a.db"
    assert run("index", "add", db, day1).exit_code == 0
    r = run("index", "add", db, day2)
    assert r.exit_code == 0 and r.stdout.startswith("added 1, unchanged 0, replaced 0")
    with Index.open(db) as index:
        assert len(index) == 2 and str(day1 / "kaiser.txt") in index and str(day2 / "kaiser.txt") in index


def test_index_file_then_its_folder_is_one_id_and_replacing_is_explicit(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(SEEDS / A, news / "a.txt")
    monkeypatch.chdir(tmp_path)
    db = "a.db"
    assert run("index", "add", db, "news/a.txt").exit_code == 0
    r = run("index", "add", db, "./news/")
    assert r.stdout.startswith("added 0, unchanged 1")
    (news / "a.txt").write_text((SEEDS / B).read_text())
    r = run("index", "add", db, "news")
    assert r.exit_code == 0
    assert r.stdout == ("not replaced news/a.txt (indexed with other text; --replace replaces it)\n"
                        "added 0, unchanged 0, replaced 0, duplicates 0 (not added), empty 0; not replaced 1 "
                        "(other text under an indexed id); the index holds 1 document\n")
    r = run("index", "add", db, "news", "--replace")
    assert r.stdout.startswith("replaced news/a.txt\nadded 0, unchanged 0, replaced 1")


def test_utf16_without_a_byte_order_mark_is_named_with_the_option_that_reads_it(tmp_path):
    # It was "binary file ... remove it", though --encoding utf-16-le reads it.
    from dedup.io import ReadOptions, read_documents

    text = "The council met on Monday and approved the budget for the new school."
    (tmp_path / "a.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "b.jsonl").write_bytes(('{"id": "1", "text": "hello there"}\n').encode("utf-16-be"))
    opts = ReadOptions()
    assert list(read_documents([str(tmp_path)], opts)) == []
    assert sorted(n.reason for n in opts.skipped) == [
        "UTF-16 text without a byte-order mark, it seems (read it with --encoding utf-16-be)",
        "UTF-16 text without a byte-order mark, it seems (read it with --encoding utf-16-le)"]
    (doc,) = read_documents([str(tmp_path / "a.txt")], ReadOptions(encoding="utf-16-le"))
    assert doc.text == text


def test_a_name_with_a_line_break_is_not_listed_one_a_line(tmp_path, monkeypatch):
    # "x\n./keep.txt" listed one a line reads as "x" and "./keep.txt": a loop deleting the duplicates would
    # delete the copy kept. The list is refused (nothing written); -0 and JSON list it whole.
    monkeypatch.chdir(tmp_path)
    Path("keep.txt").write_text((SEEDS / A).read_text(encoding="utf-8"), encoding="utf-8")
    odd = Path("x\n.")
    odd.mkdir()
    (odd / "keep.txt").write_text((SEEDS / A).read_text(encoding="utf-8") + " More words.", encoding="utf-8")
    r = run("scan", ".", "--keep", "shortest", "--duplicates")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == ("Error: 'x\\n./keep.txt' holds a line break, so a list of one name a line would read it as "
                        "two names: list them with -0 (NUL-terminated) or --format json\n")
    assert run("scan", ".", "--keep", "shortest", "--duplicates", "-0").stdout == "x\n./keep.txt\0"
    assert run("scan", ".", "--keep", "shortest", "--unique").stdout == "keep.txt\n"


def test_ids_with_control_characters_are_escaped_in_text_output_wherever_it_goes(tmp_path):
    # Written to a log (not a terminal), an id "x\r\nfake line" started a line of its own, and ESC and BEL
    # went through raw. The text format escapes them; JSON keeps the id exact.
    text = (SEEDS / A).read_text(encoding="utf-8")
    feed = tmp_path / "ids.jsonl"
    odd = "\u202egnp.exe\x07\x1b[31mRED\r\nfake line"
    feed.write_text(json.dumps({"id": odd, "text": text}) + "\n" + json.dumps({"id": "b", "text": text}) + "\n",
                    encoding="utf-8")
    out = run("scan", feed).stdout
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
    assert "\\u202egnp.exe\\x07\\x1b[31mRED\\x0d\\nfake line  611 words" in out
    assert not any(line.startswith("fake line") for line in out.splitlines())
    tabbed = tmp_path / "tab.jsonl"  # a tab reads as a column: escaped too
    tabbed.write_text(json.dumps({"id": "tab\tid", "text": text}) + "\n" + json.dumps({"id": "b", "text": text}) + "\n",
                      encoding="utf-8")
    assert "  keep  tab\\tid  611 words" in run("scan", tabbed).stdout
    members = [m["id"] for c in json.loads(run("scan", feed, "-f", "json").stdout)["clusters"] for m in c["members"]]
    assert odd in members


def test_a_link_to_a_file_outside_the_folder_is_not_read(tmp_path):
    # A folder sent in with a link to /etc/passwd printed its lines as an article's (and put them in the report).
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.txt").write_text((SEEDS / B).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "inside.txt").symlink_to("b.txt")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash " * 20, encoding="utf-8")
    (folder / "secret.txt").symlink_to(secret)
    r = run("scan", folder, "-f", "json")
    assert r.exit_code == 0 and "root:x" not in r.stdout
    assert [d["id"] for c in json.loads(r.stdout)["clusters"] for d in c["members"]] == []
    assert f"Warning: {folder / 'secret.txt'}: a symbolic link to a file outside the folder ({secret}); skipped " \
           "(name the file itself to read it)" in r.stderr
    assert f"inside.txt: the same file as {folder / 'b.txt'} (a link, or the same path written another way); " \
           "read once" in r.stderr  # a link inside the folder is the file it names
    # A folder given with a folder inside it: each file is read once, and the note does not name it as its own copy.
    sub = folder / "sub"
    sub.mkdir()
    (sub / "c.txt").write_text("a story of its own " * 10, encoding="utf-8")
    r = run("scan", folder, sub, "-f", "json")
    assert r.exit_code == 0
    assert f"Warning: {sub / 'c.txt'}: given twice (the same path, or a folder inside a folder given too); read " \
           "once" in r.stderr.splitlines()
    # Named on its own, the file is read.
    assert run("scan", folder / "secret.txt", "-f", "json").exit_code == 0


def test_a_name_too_long_for_the_system_is_one_line(tmp_path):
    # A path of 5,000 characters (or FILE#ID whose id is a whole article) gave a traceback.
    long_name = str(tmp_path / ("a" * 5000))
    for args in (("scan", long_name), ("diff", long_name, SEEDS / A), ("index", "add", tmp_path / "i.db", long_name),
                 ("scan", SEEDS, "--report", long_name)):
        r = dedup_proc(*args)
        err = r.stderr.decode()
        assert r.returncode == 1 and "Traceback" not in err and err.count("\n") == 1, (args, err[-300:])
        assert "(File name too long)" in err or "a name too long for the system" in err


def test_a_path_too_long_is_cut_in_messages(tmp_path):
    # -o, --script and --move-duplicates under a path of 5,000 characters printed it whole; --report cut it
    # at 80 characters with no mark, naming another, valid-looking path.
    deep = "/".join(["d" * 200] * 25)
    for args in (("-o", f"{deep}/x.json"), ("--script", f"{deep}.sh"), ("--move-duplicates", f"{deep}/m"),
                 ("--report", str(tmp_path / ("e" * 300)))):
        err = dedup_proc("scan", SEEDS, *args).stderr.decode()
        assert err.count("\n") == 1 and len(err) < 400 and "Traceback" not in err, (args, err[-200:])
        assert "\u2026" in err or args[0] == "--report" and "e" * 240 in err


def test_script_into_a_fifo_leaves_its_permissions(tmp_path):
    # The removal script's execute bits were set on whatever -o named: a device or FIFO (as root:
    # /dev/null) became executable. A new regular file still gets them.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o600)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = run("scan", SEEDS, "-q", "--script", fifo)
    reader.join(10)
    assert r.exit_code == 0 and got and got[0].startswith(b"#!")
    assert stat.S_IMODE(os.lstat(fifo).st_mode) == 0o600 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    script = tmp_path / "drop.sh"
    assert run("scan", SEEDS, "-q", "--script", script).exit_code == 0
    assert os.access(script, os.X_OK)
    # Execute bits where read bits are: a 0640 script stays unrunnable by others (it became 0751).
    script.chmod(0o640)
    assert run("scan", SEEDS, "-q", "--script", script).exit_code == 0
    assert stat.S_IMODE(script.stat().st_mode) == 0o750


def test_a_report_folder_whose_pages_were_replaced_is_refused_and_kept(tmp_path):
    report = tmp_path / "report"
    assert run("scan", SEEDS, "-q", "--report", report).exit_code == 0
    (report / "index.html").unlink()
    (report / "index.html").mkdir()  # someone's folder where a page was
    (report / "index.html" / "keep.txt").write_text("mine")
    r = run("scan", SEEDS, "-q", "--report", report)
    assert r.exit_code == 1 and r.stderr == (f"Error: {report} holds files dedup did not write (index.html); "
                                             "move them out, or choose another folder\n")
    assert (report / "index.html" / "keep.txt").read_text() == "mine"
    marked = tmp_path / "marked"
    (marked / ".dedup-report").mkdir(parents=True)  # a marker that is not dedup's file: a traceback before
    r = run("scan", SEEDS, "-q", "--report", marked)
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {marked / '.dedup-report'} is not the file dedup writes")
    r = run("scan", SEEDS, "-q", "--report", ".")
    assert r.exit_code == 1 and "the current folder, or a mount point" in r.stderr


def test_a_report_into_an_existing_folder_keeps_its_permissions_and_a_failed_one_leaves_nothing(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    assert run("scan", SEEDS, "-q", "--report", private).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o700 and (private / "index.html").is_file()
    # A failure while the new report takes the old one's place: the old one stays, no hidden folder is left.
    before = sorted(p.name for p in private.iterdir())
    real_rename = os.rename

    def rename(a, b):
        if str(b) == str(private) and ".tmp" in str(a):
            raise OSError(errno.EACCES, "Permission denied")
        return real_rename(a, b)

    import unittest.mock

    with unittest.mock.patch("os.rename", rename):
        r = run("scan", SEEDS, "-q", "--report", private)
    assert r.exit_code == 1
    assert r.stderr == (f"Error: could not write {private} (Permission denied); make it writable or choose another "
                        "place (nothing was replaced)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private"]
    assert sorted(p.name for p in private.iterdir()) == before


def test_a_move_across_file_systems_keeps_the_modification_time(tmp_path, monkeypatch):
    from dedup.files import move_file

    src = tmp_path / "a.txt"
    src.write_text("article")
    os.utime(src, (1_600_000_000, 1_600_000_000))
    real_link = os.link

    def link(a, b, **kw):
        if Path(a) == src:  # as between two file systems
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_link(a, b, **kw)

    monkeypatch.setattr(os, "link", link)
    (tmp_path / "aside").mkdir()
    move_file(src, tmp_path / "aside" / "a.txt")
    moved = tmp_path / "aside" / "a.txt"
    assert not src.exists() and moved.read_text() == "article"
    assert moved.stat().st_mtime == 1_600_000_000


def test_long_output_names_are_written(tmp_path):
    # A name of 250 bytes is legal; the temporary name beside it was not ("File name too long").
    out = tmp_path / ("x" * 246 + ".txt")
    assert run("scan", SEEDS, "-q", "-o", out).exit_code == 0 and out.read_text().startswith("5 documents")
    report = tmp_path / ("r" * 250)
    assert run("scan", SEEDS, "-q", "--report", report).exit_code == 0 and (report / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, report.name])


def test_an_output_that_is_the_file_standard_input_reads_is_refused(tmp_path):
    # dedup scan - -o a.jsonl < a.jsonl replaced the articles with the report (a named input was refused).
    records = tmp_path / "a.jsonl"
    records.write_text(json.dumps({"id": "1", "text": (SEEDS / A).read_text()}) + "\n")
    before = records.read_bytes()
    with open(records, "rb") as stdin:
        r = dedup_proc("scan", "-", "-q", "-f", "jsonl", "-o", records, stdin=stdin)
    assert r.returncode == 1 and r.stderr.decode() == (
        f"Error: {records} is one of the inputs (standard input); writing there would destroy an article, "
        "choose another output file\n")
    assert records.read_bytes() == before
    article = tmp_path / "a.txt"
    shutil.copy(SEEDS / A, article)
    with open(article, "rb") as stdin:
        r = dedup_proc("diff", "-", SEEDS / B, "-o", article, stdin=stdin)
    assert r.returncode == 1 and "is one of the inputs (standard input)" in r.stderr.decode()
    assert article.read_bytes() == (SEEDS / A).read_bytes()
    with open(article, "rb") as stdin:  # another output file is fine
        assert dedup_proc("diff", "-", SEEDS / B, "-o", tmp_path / "d.txt", stdin=stdin).returncode == 0


def test_an_index_path_that_is_no_index_file_is_refused_before_sqlite_makes_anything(tmp_path):
    # SQLite created the file a dangling link names, failed on a FIFO with "disk I/O error" leaving a
    # journal beside it, wrote into a read-only index as root, and left a 0-byte file for a name whose
    # journal's name is too long.
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "missing.db")
    r = run("index", "add", link, SEEDS)
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {link} is a symbolic link to a missing file")
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for command in ("add", "query"):
        r = run("index", command, fifo, SEEDS)
        assert r.exit_code == 1 and r.stderr == (f"Error: {fifo} is a device or pipe, not an index file (give a file "
                                                 "name such as archive.db)\n")
    index = tmp_path / "archive.db"
    assert run("index", "add", index, SEEDS / A).exit_code == 0
    index.chmod(0o444)
    before = index.read_bytes()
    r = run("index", "add", index, SEEDS / B)
    assert r.exit_code == 1 and r.stderr == f"Error: {index} is read-only; make it writable (chmod u+w) to add to it\n"
    assert index.read_bytes() == before
    long = tmp_path / ("x" * 250)
    r = run("index", "add", long, SEEDS)
    assert r.exit_code == 1 and "the name is too long for an index" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db", "link.db", "pipe.db"]


def _no_writing_under(monkeypatch, folder):
    """os.access as for a user who cannot write under ``folder`` (tests run as root, who always can)."""
    real = os.access

    def access(path, mode, **kwargs):
        if mode & os.W_OK and str(path).startswith(str(folder)):
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_an_index_that_cannot_be_written_is_queried(tmp_path, monkeypatch):
    # "cannot use archive.db as an index (attempt to write a readonly database)" before: a query opened the
    # file to write, so an index on a read-only disk, or in a folder of another user, could not be queried.
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    index = shelf / "archive.db"
    assert run("index", "add", index, SEEDS / A).exit_code == 0
    before = index.read_bytes()
    _no_writing_under(monkeypatch, shelf)
    r = run("index", "query", index, SEEDS / B)
    assert r.exit_code == 0 and "jaccard 0.4477" in r.stdout, r.output
    assert run("index", "info", index).exit_code == 0
    r = run("index", "add", index, SEEDS / B)
    assert r.exit_code == 1 and r.stderr == (f"Error: cannot add to {index}: its folder {shelf} is not writable here "
                                             "(SQLite keeps its log beside the index); make the folder writable "
                                             "or move the index\n")
    r = run("index", "compact", index)
    assert r.exit_code == 1 and r.stderr == (f"Error: {index} can only be read here (the file or its folder is not "
                                             "writable); make both writable to change the index\n")
    with Index.open(index) as opened:
        assert [len(res.matches) for res in opened.query([Document("new", (SEEDS / B).read_text())])] == [1]
    assert index.read_bytes() == before and sorted(p.name for p in shelf.iterdir()) == ["archive.db"]


def test_an_index_through_a_link_is_judged_by_the_file_it_points_to(tmp_path, monkeypatch):
    # SQLite keeps the log beside the file a link points to: the link's folder decided before, so an index
    # reached through a link in a folder the user cannot write refused adds, and one being written to was
    # read as unchanging (its log, holding the newest commits, ignored).
    shelf, links = tmp_path / "shelf", tmp_path / "links"
    shelf.mkdir()
    links.mkdir()
    index = shelf / "archive.db"
    (links / "archive.db").symlink_to(index)
    docs = [Document(p.name, p.read_text()) for p in sorted(SEEDS.glob("*.txt"))]
    with Index(index) as writer:
        writer.add(docs[:2])
        _no_writing_under(monkeypatch, links)
        with Index(links / "archive.db") as through_link:  # its folder cannot be written; the index's can
            through_link.add(docs[2:3])
        writer.add(docs[3:])  # committed to the log, which stays while the writer is open
        assert (shelf / "archive.db-wal").exists()
        monkeypatch.undo()
        _no_writing_under(monkeypatch, shelf)
        with Index.open(links / "archive.db") as reader:
            assert len(reader) == len(docs)


def test_an_index_in_a_read_only_folder_is_queried(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes in a read-only folder all the same")
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    index = shelf / "archive.db"
    assert run("index", "add", index, SEEDS / A).exit_code == 0
    shelf.chmod(0o555)
    try:
        # SQLite cannot make the index's shared-memory file here: the file is read as one that does not change.
        r = run("index", "query", index, SEEDS / B)
        assert r.exit_code == 0 and "jaccard 0.4477" in r.stdout, r.output
    finally:
        shelf.chmod(0o755)


def test_a_set_aside_folder_that_is_a_file_or_in_the_report_is_refused_before_the_scan(tmp_path, news):
    # Found only after the scan and the report ("cannot create ... (File exists); stopped after 0 moves"); a
    # folder inside the report was replaced with the next report, moved articles and all.
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    for target in (afile, afile / "sub"):
        r = run("scan", news, "-q", "--move-duplicates", target, "-o", tmp_path / "out.txt")
        assert r.exit_code == 2 and f"{afile} is not a folder; give a folder for the duplicates" in r.stderr
    for target in ("rep", "rep/dups"):
        r = run("scan", news, "-q", "--move-duplicates", tmp_path / target, "--report", tmp_path / "rep")
        assert r.exit_code == 2 and "which the next report replaces whole" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news", "notes.txt"] and afile.read_text() == "mine"
    assert len(list(news.iterdir())) == 5

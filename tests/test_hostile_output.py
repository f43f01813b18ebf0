"""Hostile names and text on their way out: what a terminal, a saved report, a CSV reader or a
pipe receives holds no live control sequence, no forged message line and no byte it cannot take
(reading hostile input is in test_hostile.py, the user's files in test_hostile_files.py)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

from click.testing import CliRunner

from dedup.cli import cli

from conftest import ROOT, SEED_PAIR, SEEDS, dedup_proc

A, B = SEED_PAIR


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def _on_a_terminal(*args):
    """Run dedup with stdout on a pseudo-terminal; return what the terminal received."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "dedup", *map(str, args)], cwd=ROOT, env=env, stdout=slave,
                            stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode()


def raw_escapes_absent(shown):
    """The article's sequences did not reach the terminal (dedup's own progress bar may use others)."""
    return "\x1b]0;owned" not in shown and "\x1b[2J" not in shown and "\x07" not in shown


def test_terminal_escapes_in_names_and_text_are_shown_escaped(tmp_path):
    evil = "\x1b]0;owned\x07\x1b[2J"
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(SEEDS / A, folder / f"a{evil}.txt")
    shutil.copy(SEEDS / B, folder / B)
    code, shown = _on_a_terminal("scan", folder, "--duplicates")
    assert code == 0 and raw_escapes_absent(shown) and "\\x1b]0;owned\\x07\\x1b[2J" in shown
    code, shown = _on_a_terminal("scan", folder)
    assert code == 0 and raw_escapes_absent(shown) and "\\x1b]0;owned" in shown
    (folder / f"empty{evil}.txt").write_text("")
    code, shown = _on_a_terminal("scan", folder)  # the warning on stderr names the file
    assert code == 0 and raw_escapes_absent(shown) and "empty\\x1b]0;owned\\x07\\x1b[2J.txt: empty file" in shown
    (folder / f"empty{evil}.txt").unlink()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The mayor spoke on Monday.\n\nShe said the plan would go ahead.\n")
    b.write_text(f"The mayor spoke on Monday.\n\nShe said the plan{evil} would go ahead.\n")
    code, shown = _on_a_terminal("diff", a, b, "--no-color")
    assert code == 0 and raw_escapes_absent(shown) and "\\x1b]0;owned" in shown
    db = tmp_path / "i.db"
    assert run("index", "add", db, folder / B).exit_code == 0
    code, shown = _on_a_terminal("index", "query", db, folder)
    assert code == 0 and raw_escapes_absent(shown) and "\\x1b]0;owned" in shown
    # Piped, the bytes stay as they are (for scripts).
    r = dedup_proc("scan", folder, "--duplicates")
    assert r.stdout.decode() == f"{folder}/a{evil}.txt\n"


def test_bidirectional_overrides_are_shown_escaped_on_a_terminal():
    from dedup.term import escape_controls

    assert escape_controls("rtl\u202egnp.txt \u2066x\u2069 \u05e9\u05dc\u05d5\u05dd") == \
        "rtl\\u202egnp.txt \\u2066x\\u2069 \u05e9\u05dc\u05d5\u05dd"  # Hebrew letters themselves stay


def test_a_file_name_with_a_line_feed_cannot_forge_a_message_line(tmp_path):
    # Each warning and error is one line, on a terminal or not: a name holding "\nWarning: ..." used to
    # print a second line of its own choosing (and escape sequences reached a log raw).
    (tmp_path / "bad\nWarning: all is well.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "ok.txt").write_text("one two three four five six seven", encoding="utf-8")
    r = run("scan", tmp_path)
    warnings = [line for line in r.stderr.splitlines() if line.startswith("Warning")]
    assert warnings == [f"Warning: {tmp_path}/bad\\nWarning: all is well.txt: binary file, not text (remove it "
                        "or give text files only)"]
    proc = subprocess.run([sys.executable, "-m", "dedup", "scan", str(tmp_path / "gone\x1b]0;x\x07\nError: fake")],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "\\x1b" in proc.stderr, proc.stderr


def test_json_output_stays_valid_utf8_with_a_file_name_that_is_not(tmp_path):
    # The name's stray byte was written raw: json.load failed on the whole document, jq changed the id.
    name = os.fsdecode(b"bad\xff.txt")
    (tmp_path / name).write_text("The council met on Monday and approved the budget for the new school.")
    shutil.copy(tmp_path / name, tmp_path / "good.txt")
    for fmt in ("json", "jsonl"):
        r = dedup_proc("scan", tmp_path, "-f", fmt)
        assert r.returncode == 0, r.stderr
        text = r.stdout.decode("utf-8")  # strict: raises on a raw 0xFF
        assert "\\udcff" in text
        ids = {m["id"] for line in ([text] if fmt == "json" else text.splitlines())
               for c in (json.loads(line)["clusters"] if fmt == "json" else [json.loads(line)]) for m in c["members"]}
        assert {os.fsencode(i) for i in ids} == {b"bad\xff.txt", b"good.txt"}


def test_lone_surrogates_from_json_escapes_are_written_to_files_as_escapes(tmp_path):
    # A JSON "\ud800" escape is a lone surrogate: -o wrote text and CSV with a UnicodeEncodeError traceback.
    body = "The council voted on Tuesday to approve the city budget of five million dollars after a long hearing"
    src = tmp_path / "s.jsonl"
    src.write_text(json.dumps({"id": "x\ud800y", "title": "t\udfff", "text": body + " \ud83d"}) + "\n"
                   + json.dumps({"id": "b", "text": body + " today"}) + "\n")
    for fmt in ("text", "csv", "json"):
        out = tmp_path / f"o.{fmt}"
        r = run("scan", src, "-q", "-f", fmt, "-o", out)
        assert r.exit_code == 0, r.output
        assert "x\\ud800y" in out.read_bytes().decode("utf-8")
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps({"id": "a", "text": "The council approved the budget \ud800 of five million dollars."}))
    two.write_text(json.dumps({"id": "b", "text": "The council approved the budget of six million dollars."}))
    for fmt in ("text", "markdown", "html"):
        r = run("diff", one, two, "-f", fmt, "-o", tmp_path / f"d.{fmt}")
        assert r.exit_code == 0 and "\\ud800" in (tmp_path / f"d.{fmt}").read_bytes().decode("utf-8"), r.output
    # Beside such an id, a file name that is not UTF-8 is still written as its own bytes (not as "\udcff").
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(src, folder / "s.jsonl")
    (folder / os.fsdecode(b"bad\xff.txt")).write_text(body + " again")
    out = tmp_path / "mixed.csv"
    assert run("scan", folder, "-q", "-f", "csv", "-o", out).exit_code == 0
    assert b"bad\xff.txt" in out.read_bytes() and b"x\\ud800y" in out.read_bytes()
    # To a UTF-16 standard output, which takes no raw bytes: escapes (a traceback after the change above).
    r = dedup_proc("scan", folder, "-q", "-f", "csv", env={**os.environ, "PYTHONIOENCODING": "utf-16-le"})
    assert r.returncode == 0 and "bad\\udcff.txt" in r.stdout.decode("utf-16-le"), r.stderr


def test_csv_output_quotes_an_id_holding_a_carriage_return(tmp_path):
    # Written bare before ("0,a\rb,0,..."): every CSV reader split the row in two.
    body = "The council voted on Tuesday to approve the city budget of five million dollars after a long hearing"
    src = tmp_path / "cr.jsonl"
    src.write_text(json.dumps({"id": "a\rb", "text": body}) + "\n" + json.dumps({"id": "c\r\nd", "text": body + " x"})
                   + "\n")
    for extra in ([], ["--pairs"], ["--duplicates"]):
        out = tmp_path / "o.csv"
        assert run("scan", src, "-q", "-f", "csv", "-o", out, *extra).exit_code == 0
        with open(out, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert len({len(r) for r in rows}) == 1 and {"a\rb", "c\r\nd"} & {f for r in rows for f in r}, rows
        assert out.read_bytes().endswith(b"\n") and not out.read_bytes().endswith(b"\r\n")


def test_diff_and_explain_text_show_control_characters_as_escapes_in_files_and_pipes(tmp_path):
    # Raw in a saved or piped diff and in explain's lines: "cat diff.txt" retitled the terminal later.
    evil = "\x1b]0;owned\x07"
    a, b = tmp_path / f"a{evil}.txt", tmp_path / "b.txt"
    a.write_text(f"The mayor spoke on Monday.\n\nShe said the plan{evil} would go ahead.\n")
    b.write_text(f"The mayor spoke on Monday.\n\nShe said the plan{evil} would go ahead soon.\n")
    out = tmp_path / "d.txt"
    assert run("diff", a, b, "--no-color", "-o", out).exit_code == 0
    saved = out.read_text()
    assert "\x1b" not in saved and "\x07" not in saved and saved.count("\\x1b]0;owned\\x07") >= 2
    r = dedup_proc("explain", a, b)
    assert r.returncode == 0 and b"\x1b" not in r.stdout and b"\\x1b]0;owned\\x07" in r.stdout
    r = dedup_proc("diff", a, b, "--color")  # colour kept, the text's own sequence escaped
    assert b"\x1b[" in r.stdout and b"\x1b]" not in r.stdout
    # Its own colour sequences too: ESC [ 8 m hid what followed it on the terminal.
    b.write_text("The mayor spoke on Monday.\n\nShe said the plan would go ahead soon. \x1b[8mhidden words\x1b[0m\n")
    r = dedup_proc("diff", a, b, "--color")
    assert b"\x1b[8m" not in r.stdout and b"\\x1b[8mhidden" in r.stdout and b"\x1b[3" in r.stdout, r.stdout

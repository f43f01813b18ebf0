"""The HTML diff page in a real browser (headless Chromium): it loads with
no console messages, shows both versions, and an article's own <script>
shows as text and never runs. Skipped when Chromium is not installed."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli

ROOT = Path(__file__).resolve().parents[1]
OLD = ROOT / "seeds" / "000_cc67e4122e3a257f.txt"
NEW = ROOT / "seeds" / "001_fbcee2db9c98bcf0.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

INJECTED = ('<script>document.title = "PWNED"; document.body.setAttribute("data-pwned", "yes"); '
            'console.error("injected script ran")</script>')
IMG = """<img src=x onerror="document.title='PWNED'">"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile{len(list(tmp_path.glob('profile*')))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def dump(tmp_path: Path, page: Path) -> tuple[str, list[str]]:
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, console_messages(done.stderr)


def write_diff(tmp_path: Path, a: Path, b: Path, name: str = "page.html") -> Path:
    out = tmp_path / name
    r = CliRunner().invoke(cli, ["diff", str(a), str(b), "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_detection_works_on_a_page_that_runs_a_script(tmp_path: Path) -> None:
    # The checks below must be able to fail: an unescaped page runs the script.
    raw = tmp_path / "raw.html"
    raw.write_text(f"<!DOCTYPE html><html><head><title>raw</title></head><body>{INJECTED}</body></html>",
                   encoding="utf-8")
    dom, console = dump(tmp_path, raw)
    assert "<title>PWNED</title>" in dom and 'data-pwned="yes"' in dom
    assert any("injected script ran" in line for line in console)


def test_seed_diff_page_loads_clean_and_shows_both_versions(tmp_path: Path) -> None:
    page = write_diff(tmp_path, OLD, NEW)
    dom, console = dump(tmp_path, page)
    assert console == []
    assert f"<title>dedup diff: {OLD} → {NEW}</title>" in dom
    assert dom.count(f"<th>{OLD}</th>") == 1 and dom.count(f"<th>{NEW}</th>") == 1
    assert "“Just a fair wage." in dom and "Sonia Askew told FOX40" in dom
    assert "<ins>Permanente</ins>" in dom and "<del>will hold</del>" in dom
    assert 'class="view side"' in dom and 'class="view inline"' in dom


def test_script_in_an_article_shows_as_text_and_does_not_run(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("The council met on Monday.\n\nRoads will close at noon.", encoding="utf-8")
    b.write_text(f"The council met on Monday. {INJECTED}\n\nRoads will close at noon. {IMG}", encoding="utf-8")
    page = write_diff(tmp_path, a, b)
    dom, console = dump(tmp_path, page)
    assert console == []
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)  # type: ignore[union-attr]
    assert 'data-pwned="yes"' not in dom
    assert "<img" not in dom
    assert "&lt;script&gt;document.title = \"PWNED\"" in dom
    assert "&lt;img src=x onerror=" in dom


def test_screenshot(tmp_path: Path) -> None:
    page = write_diff(tmp_path, OLD, NEW)
    png = tmp_path / "shot.png"
    done = chromium(tmp_path, "--hide-scrollbars", f"--screenshot={png}", "--window-size=1400,1800", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 1800)
    assert console_messages(done.stderr) == []

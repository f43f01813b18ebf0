"""Formatting version diffs: text for the terminal, JSON, Markdown, and one
self-contained HTML page (also the page of every cluster's diffs after a
scan). Article text is untrusted: every piece of it is escaped."""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence

from . import __version__
from .report import json_text
from .term import escape_controls
from .records import NO_WORDS

if TYPE_CHECKING:
    from .diff import Edit, Row, VersionDiff
    from .versions import ClusterDiff
    from .pipeline import ScanResult

DIFF_FORMATS = ("text", "json", "markdown", "html")
SUMMARY_TERMS = 5


def _r(x: float) -> float:
    return round(x, 4)


# ---------------------------------------------------------------- JSON

def older_record(d: VersionDiff) -> dict[str, Any]:
    side = d.older.side
    return {"side": side, "id": (d.a_label if side == "a" else d.b_label) if side else None,
            "reason": d.older.reason}


def diff_record(d: VersionDiff) -> dict[str, Any]:
    """The JSON object of a diff (the documented contract, plus counts,
    trivial edits, older version and where the IDF came from: ``{"from":
    "versions" | "corpus" | "collection", "documents": N}``)."""
    s = d.similarity
    return {
        "a": d.a_label,
        "b": d.b_label,
        "similarity": {"jaccard": _r(s.jaccard), "containment_a_in_b": _r(s.a_in_b),
                       "containment_b_in_a": _r(s.b_in_a), "shingle_size": s.shingle_size},
        "counts": d.counts,
        "older": older_record(d),
        "added": [{"text": x.text, "score": x.score, "sentence": x.index} for x in d.added],
        "removed": [{"text": x.text, "score": x.score, "sentence": x.index} for x in d.removed],
        "changed": [{"before": c.before, "after": c.after, "score": c.score, "similarity": c.similarity,
                     "moved": c.moved, "before_sentence": c.before_index, "after_sentence": c.after_index,
                     "edits": [{"op": e.op, "before": e.before, "after": e.after} for e in c.changes]}
                    for c in d.changed],
        "moved": [{"text": m.text, "before_sentence": m.before_index, "after_sentence": m.after_index}
                  for m in d.moved],
        "trivial": [{"kind": t.kind, "before": t.before, "after": t.after} for t in d.trivial],
        "added_terms": [{"term": t.term, "score": t.score} for t in d.added_terms],
        "removed_terms": [{"term": t.term, "score": t.score} for t in d.removed_terms],
        "idf": {"from": d.idf_kind, "documents": d.idf_documents},
        "figures": {"added": list(d.figures_added), "removed": list(d.figures_removed)},
        "names": {"added": list(d.names_added), "removed": list(d.names_removed)},
    }


def figures_names_line(d: VersionDiff) -> str:
    """The figures and names one version has and the other lacks (what tells one occasion or subject from another);
    empty when they agree."""
    if not (d.figures_added or d.figures_removed or d.names_added or d.names_removed):
        return ""

    def part(label: str, added: Sequence[str], removed: Sequence[str]) -> str:
        return f"{label}: + {', '.join(added) or 'none'} | - {', '.join(removed) or 'none'}"

    return (part("figures", d.figures_added, d.figures_removed) + "; "
            + part("names", d.names_added, d.names_removed))


def render_diff_json(d: VersionDiff) -> Iterator[str]:
    yield json_text(diff_record(d), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- text

def summary_line(d: VersionDiff) -> str:
    """The one line a person reads first."""
    s, c = d.similarity, d.counts
    add = ", ".join(t.term for t in d.added_terms[:SUMMARY_TERMS]) or "none"
    rem = ", ".join(t.term for t in d.removed_terms[:SUMMARY_TERMS]) or "none"
    terms = f" | added terms: {add} | removed terms: {rem}" if d.top_terms else ""  # --terms 0: none asked for
    return (f"jaccard {s.jaccard:.2f}, containment A in B {s.a_in_b:.2f}, B in A {s.b_in_a:.2f} | "
            f"{c['added']} added, {c['removed']} removed, {c['changed']} changed, {c['moved']} moved "
            f"({c['trivial']} trivial){terms}")


def older_line(d: VersionDiff) -> str:
    side = d.older.side
    if side is None:
        return f"older: {d.older.reason}"
    return f"older: {side.upper()} ({d.a_label if side == 'a' else d.b_label}): {d.older.reason}"


def trivial_line(d: VersionDiff) -> str:
    kinds = Counter(t.kind for t in d.trivial)
    detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return f"trivial edits (same words): {len(d.trivial)}" + (f" ({detail})" if detail else "")


_COLOURS = {"+": "32", "-": "31", "~": "33", ">": "36", "del": "31;9", "ins": "32;1", "dim": "2"}


def _paint(text: str, what: str, color: bool) -> str:
    """``text`` (its control characters escaped) in the colour of ``what``."""
    text = escape_controls(text)
    return f"\x1b[{_COLOURS[what]}m{text}\x1b[0m" if color else text


def wdiff(edits: Sequence[Edit], color: bool = False) -> str:
    """A changed sentence with ``[-deleted-]`` and ``{+inserted+}`` words."""
    parts = []
    for e in edits:
        if e.op == "equal":
            parts.append(escape_controls(e.after))
            continue
        if e.before:
            parts.append(_paint(f"[-{e.before}-]", "del", color))
        if e.after:
            parts.append(_paint(f"{{+{e.after}+}}", "ins", color))
    return " ".join(p for p in parts if p)


def render_diff_text(d: VersionDiff, color: bool = False) -> Iterator[str]:
    """Summary line first, then each kind of change, most significant first.

    Markers read without colour: ``+`` added, ``-`` removed, ``~`` changed
    (``[-old-]{+new+}`` inside), ``>`` moved. Control characters in names
    and text are shown as escapes (:func:`dedup.term.escape_controls`), in a
    file or a pipe too: a saved diff cannot retitle or clear the terminal
    it is later shown in.
    """
    for chunk in _diff_text(d, color):
        # The text was escaped piece by piece, before any colour went around it: an article's own colour
        # sequence (ESC [ 8 m hides what follows) is shown, not kept as one of dedup's.
        yield chunk if color else escape_controls(chunk)


def _diff_text(d: VersionDiff, color: bool) -> Iterator[str]:
    e = escape_controls
    yield e(f"{d.a_label} -> {d.b_label}: {summary_line(d)}\n")
    yield e(older_line(d) + "\n")
    if d.is_empty:
        yield e("no sentence added, removed, changed or moved" + (f"; {trivial_line(d)}" if d.trivial else "") + "\n")
        return
    if d.added_terms:
        yield e("added terms: " + ", ".join(f"{t.term} {t.score:.2f}" for t in d.added_terms) + "\n")
    if d.removed_terms:
        yield e("removed terms: " + ", ".join(f"{t.term} {t.score:.2f}" for t in d.removed_terms) + "\n")
    if figures_names_line(d):
        yield e(figures_names_line(d) + "\n")
    sections: list[tuple[str, str, Sequence[Any]]] = [
        ("added", "+", d.added), ("removed", "-", d.removed), ("changed", "~", d.changed), ("moved", ">", d.moved)]
    for name, mark, items in sections:
        if not items:
            continue
        yield f"\n{name} ({len(items)}{', most significant first' if name != 'moved' else ''})\n"
        for x in items:
            if name == "changed":
                moved = " (moved)" if x.moved else ""
                yield f"{_paint('~', mark, color)} [{x.score:.2f}]{moved} {wdiff(x.edits, color)}\n"
            elif name == "moved":
                yield (f"{_paint('>', mark, color)} {e(x.text)} "
                       f"{_paint(f'(sentence {x.before_index + 1} -> {x.after_index + 1})', 'dim', color)}\n")
            else:
                yield f"{_paint(mark, mark, color)} [{x.score:.2f}] {_paint(x.text, mark, color)}\n"
    yield e(f"\n{trivial_line(d)}; IDF from {d.idf_source}\n")


# ---------------------------------------------------------------- Markdown

# Article text always follows a list marker or a table cell's "| " here, never
# starts a line, so the characters that make markup anywhere in a line are
# enough: emphasis, code, links and images (brackets), table cells, strike.
# Escaping more ("Calif\. \(KTXL\)") only makes the source hard to read.
_MD_SPECIAL = set("\\`*_[]|~")


def md(text: str) -> str:
    """Article text made inert in Markdown: HTML escaped (``<``, ``>``,
    ``&``), the inline markup characters ``\\ ` * _ [ ] | ~``
    backslash-escaped, and a block marker at the very start (``#``,
    ``+``, ``-``, ``1.``) escaped so that a list item stays one item;
    ``.``, ``(`` and the like elsewhere are left as they are."""
    out = []
    # Control characters and bidirectional overrides as escapes too, as in the HTML page.
    for ch in html.escape(escape_controls(text), quote=False):
        out.append("\\" + ch if ch in _MD_SPECIAL else ch)
    escaped = "".join(out)
    lead = _MD_BLOCK_START.match(escaped)
    if lead:
        k = lead.end() - 1
        escaped = escaped[:k] + "\\" + escaped[k:]
    return escaped


_MD_BLOCK_START = re.compile(r"^(?:#|\+|-|=|\d{1,9}[.)])")


def _md_edits(edits: Sequence[Edit]) -> str:
    parts = []
    for e in edits:
        if e.op == "equal":
            parts.append(md(e.after))
            continue
        if e.before:
            parts.append(f"~~{md(e.before)}~~")
        if e.after:
            parts.append(f"**{md(e.after)}**")
    return " ".join(parts)


def render_diff_markdown(d: VersionDiff) -> Iterator[str]:
    """Markdown: summary, salient terms table, then the changes by kind."""
    s = d.similarity
    c = d.counts
    yield f"# {md(d.a_label)} → {md(d.b_label)}\n\n"
    yield (f"| jaccard | A in B | B in A | added | removed | changed | moved | trivial |\n"
           f"|---|---|---|---|---|---|---|---|\n"
           f"| {s.jaccard:.2f} | {s.a_in_b:.2f} | {s.b_in_a:.2f} | {c['added']} | {c['removed']} | {c['changed']} "
           f"| {c['moved']} | {c['trivial']} |\n\n")
    yield f"**Older:** {md(older_line(d)[len('older: '):])}\n\n"
    if figures_names_line(d):
        yield f"**Figures and names:** {md(figures_names_line(d))}\n\n"
    if d.added_terms or d.removed_terms:
        yield "## Salient terms\n\n| added | score | removed | score |\n|---|---|---|---|\n"
        for k in range(max(len(d.added_terms), len(d.removed_terms))):
            a = d.added_terms[k] if k < len(d.added_terms) else None
            r = d.removed_terms[k] if k < len(d.removed_terms) else None
            yield (f"| {md(a.term) if a else ''} | {f'{a.score:.2f}' if a else ''} "
                   f"| {md(r.term) if r else ''} | {f'{r.score:.2f}' if r else ''} |\n")
        yield "\n"
    if d.added:
        yield "## Added\n\n" + "".join(f"- {md(x.text)} *({x.score:.2f})*\n" for x in d.added) + "\n"
    if d.removed:
        yield "## Removed\n\n" + "".join(f"- ~~{md(x.text)}~~ *({x.score:.2f})*\n" for x in d.removed) + "\n"
    if d.changed:
        yield "## Changed\n\n" + "".join(
            f"- {_md_edits(x.edits)} *({x.score:.2f}{', moved' if x.moved else ''})*\n" for x in d.changed) + "\n"
    if d.moved:
        yield "## Moved\n\n" + "".join(
            f"- {md(m.text)} *(sentence {m.before_index + 1} → {m.after_index + 1})*\n" for m in d.moved) + "\n"
    yield f"{md(trivial_line(d))}. IDF from {md(d.idf_source)}.\n"


# ---------------------------------------------------------------- HTML

def esc(text: str) -> str:
    """HTML-escape untrusted text (quotes included), control characters and bidirectional overrides shown
    as escapes (:func:`dedup.term.escape_controls`): a name cannot turn the page's text around."""
    return html.escape(escape_controls(text), quote=True)


_CSS = """
:root{--ins:#d7f5dd;--ins-strong:#9be3ab;--del:#fbe0e0;--del-strong:#f3a9a9;--mv:#e3ecff;--ink:#1d232a;
--muted:#5f6b76;--line:#dde2e7;--bg:#fff;--head:#f5f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--bg)}
main{max-width:1360px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:18px;margin:28px 0 8px}
h3{font-size:15px;margin:18px 0 6px}
.summary{background:var(--head);border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:10px 0}
.summary b{font-variant-numeric:tabular-nums}
.meta{color:var(--muted);font-size:13px;margin:4px 0}
.counts span{display:inline-block;margin-right:14px}
.k-add{color:#17692b}.k-rem{color:#a52121}.k-chg{color:#8a5a00}.k-mov{color:#2b4ea8}
.terms{display:flex;gap:24px;flex-wrap:wrap;margin:8px 0}
.terms table{border-collapse:collapse;min-width:300px}
.terms td,.terms th{padding:2px 8px;text-align:left;font-size:13px;border-bottom:1px solid var(--line)}
.terms td.s{text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
.bar{height:8px;border-radius:4px;display:inline-block;vertical-align:middle}
.terms .add .bar{background:var(--ins-strong)}.terms .rem .bar{background:var(--del-strong)}
ol.top{margin:6px 0;padding-left:22px}ol.top li{margin:3px 0}
ins.s{background:var(--ins)}del.s{background:var(--del);text-decoration-color:#b55}
.score{color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums;margin-left:6px}
ins{background:var(--ins-strong);text-decoration:none;border-radius:2px;padding:0 1px}
del{background:var(--del-strong);text-decoration:line-through;border-radius:2px;padding:0 1px}
.tabs{margin-top:22px}
.tabs>input{position:absolute;opacity:0}
.tabs>label{display:inline-block;padding:6px 14px;border:1px solid var(--line);border-bottom:none;
border-radius:6px 6px 0 0;background:var(--head);cursor:pointer;font-weight:600;font-size:14px}
.tabs>input:checked+label{background:var(--bg);position:relative;top:1px}
.tabs>input:focus-visible+label{outline:2px solid #2b6fd6}
.view{display:none;border:1px solid var(--line);border-radius:0 6px 6px 6px;padding:8px}
.tabs>input.side:checked~.view.side,.tabs>input.inline:checked~.view.inline{display:block}
table.sbs{width:100%;border-collapse:collapse;table-layout:fixed}
table.sbs col.n{width:42px}table.sbs col.m{width:22px}
table.sbs th{background:var(--head);text-align:left;padding:6px 8px;font-size:13px;overflow-wrap:anywhere}
table.sbs td{vertical-align:top;padding:3px 8px;border-top:1px solid #f0f2f4;overflow-wrap:anywhere}
table.sbs td.n{color:var(--muted);font-size:12px;text-align:right;font-variant-numeric:tabular-nums}
table.sbs td.m{font-weight:700;text-align:center;color:var(--muted)}
table.sbs tr.para td{border-top:1px solid #c9d0d7;padding-top:9px}
tr.added td.b,tr.moved_in td.b{background:var(--ins)}
tr.removed td.a{background:var(--del)}
tr.changed td.a{background:#fff4f4}tr.changed td.b{background:#f3fcf5}
tr.moved_in td.b,tr.moved_out td.a{background:var(--mv)}
tr.trivial td{color:var(--muted)}
.note{color:var(--muted);font-size:12px}
.inline p{margin:0 0 10px;max-width:900px}
.inline .mv{background:var(--mv);text-decoration:none}
.legend{font-size:13px;color:var(--muted);margin:6px 0}
details.member{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:6px 12px}
details.member>summary{cursor:pointer;font-weight:600;overflow-wrap:anywhere}
.summary,.meta{overflow-wrap:anywhere}
@media print{.tabs>label{display:none}.view{display:block!important;border:none}}
"""

# Article text is escaped; this policy also forbids any script, so a page
# that somehow carried one would not run it.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _page(title: str, body: str, css: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="dedup {esc(__version__)}">\n'
            f"<title>{esc(title)}</title>\n<style>{_CSS}{css}</style>\n</head>\n<body>\n<main>\n{body}</main>\n"
            f"</body>\n</html>\n")


def _edits_html(edits: Sequence[Edit], side: str) -> str:
    """A changed sentence for one side ('a', 'b') or both ('inline')."""
    parts = []
    for e in edits:
        if e.op == "equal":
            parts.append(esc(e.before if side == "a" else e.after))
            continue
        if e.before and side in ("a", "inline"):
            parts.append(f"<del>{esc(e.before)}</del>")
        if e.after and side in ("b", "inline"):
            parts.append(f"<ins>{esc(e.after)}</ins>")
    return " ".join(parts)


def _summary_html(d: VersionDiff) -> str:
    s, c = d.similarity, d.counts
    older = esc(older_line(d)[len("older: "):])
    return (f'<div class="summary"><div class="counts">'
            f"<span>jaccard <b>{s.jaccard:.2f}</b></span><span>A in B <b>{s.a_in_b:.2f}</b></span>"
            f"<span>B in A <b>{s.b_in_a:.2f}</b></span>"
            f'<span class="k-add"><b>{c["added"]}</b> added</span>'
            f'<span class="k-rem"><b>{c["removed"]}</b> removed</span>'
            f'<span class="k-chg"><b>{c["changed"]}</b> changed</span>'
            f'<span class="k-mov"><b>{c["moved"]}</b> moved</span>'
            f'<span><b>{c["trivial"]}</b> trivial</span></div>'
            f'<div class="meta">Older: {older}</div>'
            + (f'<div class="meta">{esc(figures_names_line(d))}</div>' if figures_names_line(d) else "") +
            f'<div class="meta">Word {s.shingle_size}-gram shingles; IDF from {esc(d.idf_source)}; '
            f"changed when word similarity ≥ {d.cutoff:.2f}.</div></div>\n")


def _terms_html(d: VersionDiff) -> str:
    if not (d.added_terms or d.removed_terms):
        return ""
    top = max([t.score for t in d.added_terms + d.removed_terms] or [1.0]) or 1.0
    out = ['<div class="terms">']
    for cls, name, terms in (("add", "Added terms", d.added_terms), ("rem", "Removed terms", d.removed_terms)):
        out.append(f'<table class="{cls}"><tr><th colspan="3">{name}</th></tr>')
        for t in terms:
            width = max(2, round(120 * t.score / top))
            out.append(f'<tr><td>{esc(t.term)}</td><td><span class="bar" style="width:{width}px"></span></td>'
                       f'<td class="s">{t.score:.2f}</td></tr>')
        if not terms:
            out.append('<tr><td class="note" colspan="3">none</td></tr>')
        out.append("</table>")
    out.append("</div>\n")
    return "".join(out)


def _top_html(d: VersionDiff, limit: int = 8) -> str:
    items: list[tuple[float, str]] = []
    for x in d.added:
        items.append((x.score, f'<span class="k-add">+</span> <ins class="s">{esc(x.text)}</ins>'))
    for x in d.removed:
        items.append((x.score, f'<span class="k-rem">−</span> <del class="s">{esc(x.text)}</del>'))
    for c in d.changed:
        items.append((c.score, f'<span class="k-chg">~</span> {_edits_html(c.edits, "inline")}'))
    if not items:
        return ""
    items.sort(key=lambda t: -t[0])
    lis = "".join(f'<li>{h}<span class="score">{s:.2f}</span></li>' for s, h in items[:limit])
    more = f" (top {limit} of {len(items)})" if len(items) > limit else ""
    return f"<h3>Most significant changes{more}</h3>\n<ol class=\"top\">{lis}</ol>\n"


_MARK = {"equal": "", "trivial": "·", "added": "+", "removed": "−", "changed": "~", "moved_in": "&gt;",
         "moved_out": "&gt;"}


def _row_para(d: VersionDiff, r: Row) -> bool:
    a = any(d.sentences_a[i].starts_paragraph for i in r.before[:1])
    b = any(d.sentences_b[j].starts_paragraph for j in r.after[:1])
    return a or b


def _side_html(d: VersionDiff, p: str) -> str:
    out = [f'<table class="sbs"><colgroup><col class="m"><col class="n"><col><col class="n"><col></colgroup>'
           f"<tr><th></th><th>A</th><th>{esc(d.a_label)}</th><th>B</th><th>{esc(d.b_label)}</th></tr>"]
    sa, sb = d.sentences_a, d.sentences_b
    for r in d.rows:
        a_txt = " ".join(esc(sa[i].text) for i in r.before)
        b_txt = " ".join(esc(sb[j].text) for j in r.after)
        if r.op == "changed":
            a_txt, b_txt = _edits_html(r.edits, "a"), _edits_html(r.edits, "b")
        elif r.op == "moved_out":
            a_txt += f' <a class="note" href="#{p}b{r.partner}">(now B {(r.partner or 0) + 1})</a>'
        elif r.op == "moved_in":
            b_txt += f' <a class="note" href="#{p}a{r.partner}">(was A {(r.partner or 0) + 1})</a>'
        na = "<br>".join(str(i + 1) for i in r.before)
        nb = "<br>".join(str(j + 1) for j in r.after)
        ida = f' id="{p}a{r.before[0]}"' if r.before else ""
        idb = f' id="{p}b{r.after[0]}"' if r.after else ""
        cls = r.op + (" para" if _row_para(d, r) else "")
        out.append(f'<tr class="{cls}"><td class="m">{_MARK[r.op]}</td><td class="n"{ida}>{na}</td>'
                   f'<td class="a">{a_txt}</td><td class="n"{idb}>{nb}</td><td class="b">{b_txt}</td></tr>')
    out.append("</table>\n")
    return "".join(out)


def _inline_html(d: VersionDiff) -> str:
    sa, sb = d.sentences_a, d.sentences_b
    paras: list[list[str]] = []
    for r in d.rows:
        if not paras or _row_para(d, r):
            paras.append([])
        if r.op == "changed":
            paras[-1].append(_edits_html(r.edits, "inline"))
        elif r.op == "removed":
            paras[-1].append(f'<del class="s">{esc(sa[r.before[0]].text)}</del>')
        elif r.op == "added":
            paras[-1].append(f'<ins class="s">{esc(sb[r.after[0]].text)}</ins>')
        elif r.op == "moved_out":
            paras[-1].append(f'<del class="mv" title="moved">{esc(sa[r.before[0]].text)}</del>')
        elif r.op == "moved_in":
            paras[-1].append(f'<ins class="mv" title="moved here">{esc(sb[r.after[0]].text)}</ins>')
        else:
            paras[-1].append(" ".join(esc(sb[j].text) for j in r.after))
    return "".join(f"<p>{' '.join(p)}</p>" for p in paras if p) + "\n"


def diff_body_html(d: VersionDiff, prefix: str = "d0-") -> str:
    """The HTML of one diff (summary, terms, top changes, side-by-side and
    inline views), for embedding in a page; ids start with ``prefix``."""
    name = f"{prefix}view"
    return (_summary_html(d) + _terms_html(d) + _top_html(d) +
            f'<div class="tabs">'
            f'<input type="radio" class="side" name="{name}" id="{prefix}side" checked>'
            f'<label for="{prefix}side">Side by side</label>'
            f'<input type="radio" class="inline" name="{name}" id="{prefix}inline">'
            f'<label for="{prefix}inline">Inline</label>'
            f'<div class="view side">{_side_html(d, prefix)}</div>'
            f'<div class="view inline">{_inline_html(d)}</div></div>\n'
            f'<p class="legend">+ added, − removed, ~ changed (<del>deleted</del> / <ins>inserted</ins> words), '
            f"&gt; moved, · trivial (same words: whitespace, punctuation, case, sentence or paragraph breaks)</p>\n")


def render_diff_html(d: VersionDiff) -> Iterator[str]:
    """One self-contained HTML page: inline CSS, no scripts, no network."""
    title = f"{d.a_label} → {d.b_label}"
    about = "".join(f'<div class="meta">{side}: {esc(text)}</div>'
                    for side, text in (("A", d.a_about), ("B", d.b_about)) if text)
    yield _page(f"dedup diff: {title}", f"<h1>{esc(title)}</h1>\n{about}" + diff_body_html(d))


# ---------------------------------------------------------------- scan report

#: Unchanged sentences shown around each change in a report's diffs.
REPORT_CONTEXT = 1
#: Name of the report's overview page inside its folder.
REPORT_INDEX = "index.html"

_REPORT_CSS = """
nav.top{font-size:13px;margin:0 0 10px}nav.top a{margin-right:14px}
table.list{border-collapse:collapse;width:100%;font-size:14px}
table.list th{background:var(--head);text-align:left;padding:4px 8px;font-size:13px}
table.list td{padding:3px 8px;border-top:1px solid #eef0f2;vertical-align:top;overflow-wrap:break-word}
@media (max-width:700px){table.list{display:block;overflow-x:auto}}
table.list td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.list td.d{white-space:nowrap}
table.list tr.keep td{font-weight:600}
.hist{display:flex;gap:36px;flex-wrap:wrap;margin:8px 0}
.hist table{border-collapse:collapse;font-size:13px}
.hist td{padding:1px 6px;font-variant-numeric:tabular-nums}
.hist .b{display:inline-block;height:11px;background:#7aa7e0;border-radius:2px;vertical-align:middle}
details.cl{border-bottom:1px solid var(--line);padding:4px 2px}
details.cl>summary{cursor:pointer}
details.cl>summary .t{font-weight:600}
details.cl table.list{margin:6px 0 4px 18px;width:calc(100% - 18px)}
tr.gap td{color:var(--muted);font-size:12px;text-align:center;background:#fafbfc}
"""


def _date_text(d: Any) -> str:
    return d.strftime("%Y-%m-%d") if d is not None else ""


def _span(dates: Sequence[Any]) -> str:
    known = sorted(d for d in dates if d is not None)
    if not known:
        return "no dates"
    lo, hi = _date_text(known[0]), _date_text(known[-1])
    return lo if lo == hi else f"{lo} – {hi}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def cluster_page_name(index: int) -> str:
    """File name of a cluster's page inside the report folder."""
    return f"cluster-{index}.html"


def _histogram_html(result: ScanResult) -> str:
    """How similar the duplicates are to the copies kept: counts in tenths
    of Jaccard and of containment, as bars."""
    bins = 10
    counts = {"jaccard": [0] * bins, "containment": [0] * bins}
    for cl in result.clusters:
        for m in cl.members:
            if m.keep:
                continue
            counts["jaccard"][min(int(m.jaccard * bins), bins - 1)] += 1
            counts["containment"][min(int(m.containment * bins), bins - 1)] += 1
    top = max(max(v) for v in counts.values()) or 1
    out = ['<div class="hist">']
    for name, values in counts.items():
        out.append(f'<table aria-label="{name} histogram"><tr><th colspan="3">{name} with the copy kept</th></tr>')
        for k in reversed(range(bins)):
            width = round(240 * values[k] / top)
            out.append(f'<tr><td>{k / bins:.1f}–{(k + 1) / bins:.1f}</td>'
                       f'<td><span class="b" style="width:{width}px"></span></td>'
                       f'<td class="num">{values[k]:,}</td></tr>')
        out.append("</table>")
    out.append("</div>\n")
    return "".join(out)


def _summary_counts(result: ScanResult) -> str:
    dup = sum(c.size - 1 for c in result.clusters)
    notes = []
    wordless = sum(1 for n in result.skipped if n.reason == NO_WORDS)
    if len(result.skipped) > wordless:
        notes.append(f"{len(result.skipped) - wordless:,} skipped")
    if wordless:
        notes.append(f"{_plural(wordless, 'document')} with no words to compare")
    if result.files_ignored:
        notes.append(f"{_plural(result.files_ignored, 'other file')} ignored")
    extra = f" ({', '.join(notes)})" if notes else ""
    c = result.config
    return (f'<div class="summary">{_plural(len(result.documents), "document")} from '
            f'{_plural(result.files_read, "file")}{extra}: <b>{len(result.clusters):,}</b> '
            f'cluster{"s" if len(result.clusters) != 1 else ""} of near-duplicates, <b>{dup:,}</b> '
            f'duplicate{"s" if dup != 1 else ""} to drop.'
            f'<div class="meta">Near-duplicate when jaccard ≥ {c.threshold} or containment ≥ {c.containment} '
            f"(word {c.shingle_size}-grams); the copy kept is the {esc(c.keep)} one. Each diff reads from the "
            f"older version to the newer.</div></div>\n")


def _member_rows(cl: Any, docs: dict[str, Any]) -> str:
    rows = ['<table class="list"><tr><th></th><th>id</th><th>title</th><th>date</th><th class="num">words</th>'
            '<th class="num">jaccard</th><th class="num">containment</th></tr>']
    for m in cl.members:
        doc = docs[m.id]
        role = "keep" if m.keep else "dup"
        sims = ('<td class="num"></td><td class="num"></td>' if m.keep else
                f'<td class="num">{m.jaccard:.2f}</td><td class="num">{m.containment:.2f}</td>')
        rows.append(f'<tr class="{role}"><td class="d">{role}</td><td>{esc(m.id)}</td><td>{esc(doc.title or "")}</td>'
                    f'<td class="num">{_date_text(doc.date)}</td><td class="num">{doc.words:,}</td>{sims}</tr>')
    rows.append("</table>")
    return "".join(rows)


def render_report_index(result: ScanResult) -> str:
    """The overview page: counts, a histogram of similarities, and every
    cluster, largest first, in one row (the kept copy's title, the number of
    documents, their dates, the lowest similarity) linking to its page,
    where the members are."""
    docs = {d.id: d for d in result.documents}
    parts = ["<h1>dedup scan report</h1>\n", _summary_counts(result)]
    if not result.clusters:
        parts.append("<p>No near-duplicates found.</p>\n")
        return _page("dedup scan report (0 clusters)", "".join(parts), _REPORT_CSS)
    parts.append("<h2>Similarity of each duplicate to the copy kept</h2>\n" + _histogram_html(result))
    parts.append("<h2>Clusters, largest first</h2>\n")
    parts.append('<table class="list"><tr><th class="num">#</th><th>copy kept (title)</th><th class="num">documents'
                 '</th><th>dates</th><th class="num">lowest jaccard</th></tr>')
    order = sorted(result.clusters, key=lambda c: (-c.size, c.index))
    for cl in order:
        keep = docs[cl.keep]
        parts.append(f'<tr id="c{cl.index}"><td class="num">{cl.index}</td><td><a href="{cluster_page_name(cl.index)}">'
                     f'{esc(keep.title or cl.keep)}</a></td><td class="num">{cl.size}</td>'
                     f'<td class="d">{_span([docs[m.id].date for m in cl.members])}</td>'
                     f'<td class="num">{min(m.jaccard for m in cl.members):.2f}</td></tr>')
    parts.append("</table>\n")
    return _page(f"dedup scan report ({_plural(len(result.clusters), 'cluster')})", "".join(parts), _REPORT_CSS)


def _context_html(d: VersionDiff, p: str, context: int = REPORT_CONTEXT) -> str:
    """Side by side, only the changed sentences and ``context`` unchanged
    ones around each; the rest is one line saying how many were left out."""
    rows = d.rows
    show = [False] * len(rows)
    for k, r in enumerate(rows):
        if r.op not in ("equal", "trivial"):
            for q in range(max(0, k - context), min(len(rows), k + context + 1)):
                show[q] = True
    out = [f'<table class="sbs"><colgroup><col class="m"><col class="n"><col><col class="n"><col></colgroup>'
           f"<tr><th></th><th>A</th><th>{esc(d.a_label)}{' (older)' if d.older.side == 'a' else ''}</th>"
           f"<th>B</th><th>{esc(d.b_label)}</th></tr>"]
    sa, sb = d.sentences_a, d.sentences_b
    k = 0
    while k < len(rows):
        if not show[k]:
            start = k
            while k < len(rows) and not show[k]:
                k += 1
            out.append(f'<tr class="gap"><td colspan="5">⋯ {_plural(k - start, "unchanged sentence")}</td></tr>')
            continue
        r = rows[k]
        a_txt = " ".join(esc(sa[i].text) for i in r.before)
        b_txt = " ".join(esc(sb[j].text) for j in r.after)
        if r.op == "changed":
            a_txt, b_txt = _edits_html(r.edits, "a"), _edits_html(r.edits, "b")
        elif r.op == "moved_out":
            a_txt += f' <span class="note">(now B {(r.partner or 0) + 1})</span>'
        elif r.op == "moved_in":
            b_txt += f' <span class="note">(was A {(r.partner or 0) + 1})</span>'
        na = "<br>".join(str(i + 1) for i in r.before)
        nb = "<br>".join(str(j + 1) for j in r.after)
        out.append(f'<tr class="{r.op}"><td class="m">{_MARK[r.op]}</td><td class="n">{na}</td>'
                   f'<td class="a">{a_txt}</td><td class="n">{nb}</td><td class="b">{b_txt}</td></tr>')
        k += 1
    out.append("</table>\n")
    return "".join(out)


def keep_reason(result: ScanResult, cluster: Any) -> str:
    """Why the cluster's first member is the copy kept: the ``--keep`` policy, or a correction of the others."""
    from .cluster import choose_keep

    place = {d.id: i for i, d in enumerate(result.documents)}
    members = sorted(place[m.id] for m in cluster.members)
    docs, policy = result.documents, result.config.keep
    by_policy = choose_keep(members, policy, [d.words for d in docs], [d.date for d in docs],
                            updated=[d.updated for d in docs])
    kept = docs[place[cluster.keep]]
    if docs[by_policy].id != cluster.keep:
        return (f"it says it corrects an earlier version, so it is kept before the copies it supersedes (by --keep "
                f"{policy} alone, {docs[by_policy].id} would be)")
    others = [docs[i] for i in members if docs[i].id != cluster.keep]
    if policy in ("longest", "shortest"):
        words = ", ".join(f"{d.words:,}" for d in others[:5]) + (", ..." if len(others) > 5 else "")
        return f"the {policy} copy ({kept.words:,} words; the others {words})"
    if policy == "newest" and kept.updated is not None:
        return f"the newest copy (updated {_date_text(kept.updated)})"
    if policy in ("newest", "oldest"):
        return f"the {policy} copy ({_date_text(kept.date)})"
    return "the copy read first"


def render_report_cluster(result: ScanResult, cluster: Any, cdiff: Optional[ClusterDiff],
                          prev_index: Optional[int] = None, next_index: Optional[int] = None) -> str:
    """One cluster's page: its members, then each member's diff with the copy
    kept, older version first, showing the changes with a little context.
    The first diff is open, the others collapsed."""
    docs = {d.id: d for d in result.documents}
    keep = docs[cluster.keep]
    nav = [f'<a href="{REPORT_INDEX}#c{cluster.index}">↑ overview</a>']
    if prev_index is not None:
        nav.append(f'<a href="{cluster_page_name(prev_index)}">← cluster {prev_index}</a>')
    if next_index is not None:
        nav.append(f'<a href="{cluster_page_name(next_index)}">cluster {next_index} →</a>')
    parts = [f'<nav class="top">{"".join(nav)}</nav>\n',
             f"<h1>Cluster {cluster.index}: {esc(keep.title or cluster.keep)}</h1>\n",
             f'<p class="meta">{cluster.size} documents · {_span([docs[m.id].date for m in cluster.members])} · '
             f"keep {esc(cluster.keep)}: {esc(keep_reason(result, cluster))}</p>\n", _member_rows(cluster, docs)]
    by_member = dict(zip(cdiff.members, cdiff.diffs)) if cdiff is not None else {}
    shown = 0
    for k, m in enumerate(x for x in cluster.members if not x.keep):
        d = by_member.get(m.id)
        if d is None:
            parts.append(f'<details class="member"><summary>{esc(m.id)}</summary>'
                         f'<p class="note">text not available (file changed since the scan?)</p></details>\n')
            continue
        c = d.counts
        label = (f"{esc(d.a_label)} → {esc(d.b_label)} <span class=\"note\">jaccard {m.jaccard:.2f} · "
                 f"{c['added']} added, {c['removed']} removed, {c['changed']} changed, {c['moved']} moved</span>")
        body = (_summary_html(d) + _terms_html(d) +
                (_context_html(d, f"m{k}-") if not d.is_empty else
                 '<p class="note">No sentence added, removed, changed or moved.</p>'))
        parts.append(f'<details class="member"{" open" if shown == 0 else ""}><summary>{label}</summary>'
                     f"{body}</details>\n")
        shown += 1
    parts.append('<p class="legend">+ added, − removed, ~ changed (<del>deleted</del> / <ins>inserted</ins> words), '
                 "&gt; moved, · trivial (same words: whitespace, punctuation, case, sentence or paragraph "
                 "breaks)</p>\n")
    return _page(f"dedup cluster {cluster.index}: {keep.title or cluster.keep}", "".join(parts), _REPORT_CSS)


def render_report(result: ScanResult, clusters: Sequence[ClusterDiff]) -> Iterator[tuple[str, str]]:
    """The pages of a scan report, as ``(file name, HTML)``: the overview
    (:data:`REPORT_INDEX`) and one page per cluster. Self-contained pages:
    inline CSS, no scripts, no network."""
    yield REPORT_INDEX, render_report_index(result)
    by_index = {c.index: c for c in clusters}
    order = sorted(result.clusters, key=lambda c: (-c.size, c.index))
    for k, cl in enumerate(order):
        prev_index = order[k - 1].index if k > 0 else None
        next_index = order[k + 1].index if k + 1 < len(order) else None
        yield cluster_page_name(cl.index), render_report_cluster(result, cl, by_index.get(cl.index),
                                                                  prev_index, next_index)


DIFF_RENDERERS: dict[str, Callable[..., Iterator[str]]] = {
    "text": render_diff_text, "json": render_diff_json, "markdown": render_diff_markdown, "html": render_diff_html,
}

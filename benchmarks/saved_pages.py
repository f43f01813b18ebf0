"""A folder of saved news pages for the HTML path: real Reuters-21578 text in site templates.

Wire stories are republished by two to four sites, each wrapping the story in
its own template and editing it: a new headline, the last paragraphs cut, a
photo caption, an editor's note, a newsletter prompt and a "Related" list
inside the story. Other stories appear on one site only; every story on a
site shares that site's template (the hard negatives). Every page has a
doctype, OpenGraph or JSON-LD metadata, inline CSS and JavaScript, a
navigation menu, a cookie banner, a "Most read" list naming other stories of
the set, and a footer.

Six template styles:

* ``semantic``: header, nav, ``<main>`` holding the ``<article>`` and the
  "Most read" list, footer; OpenGraph and JSON-LD.
* ``divs``: no semantic tag at all, every block a ``<div>``; JSON-LD only.
* ``table``: a table layout, the story one cell of ``<br><br>``-separated
  paragraphs next to menu and sidebar cells, ``<font>`` tags; no
  OpenGraph, only the address the browser saved it from.
* ``blog``: sections and ``<h2>`` headline, editor's note in ``<em>``;
  canonical link.
* ``portal``: ``<main>`` with an ``itemprop="articleBody"`` div, the
  "Related" list after the second paragraph, "Most read" inside ``<main>``.
* ``magazine``: ``<article>`` with paragraphs in ``<div class="para">`` and
  captions as ``<p class="caption">``; og:site_name only.

Two layouts: ``mixed`` (six large sites, one per style, and twelve sites
with two or three pages) and ``small`` (every site has exactly three pages).
Stories are admitted only when their text is new to the set (under 20% of
their word 5-grams already seen, and a title not sharing half its words
with an admitted story of the same day), and tabular reports (over 15% of
words with a digit) are left out, so the only true pairs are the copies of
one wire story.

Usage:
    python benchmarks/saved_pages.py OUT_DIR                 # the mixed set
    python benchmarks/saved_pages.py OUT_DIR --layout small  # three pages a site
"""

from __future__ import annotations

import argparse
import html as htmlmod
import json
import random
import re
import sys
import zlib
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup import shingle_set, words  # noqa: E402
from labelled_sets import DEFAULT_DATA, WORD5, load_reuters, paragraphs  # noqa: E402

STYLES = ("semantic", "divs", "table", "blog", "portal", "magazine")

SITE_WORDS = ("Daily", "Courier", "Herald", "Ledger", "Tribune", "Gazette", "Post", "Chronicle", "Observer",
              "Sentinel", "Times", "Journal", "Star", "Record", "Monitor", "Dispatch", "Register", "Bulletin",
              "Examiner", "Express", "Mercury", "Argus", "Beacon", "Clarion", "Globe", "Inquirer", "Leader",
              "Mirror", "News", "Pioneer", "Press", "Review", "Standard", "Telegraph", "Voice", "Wire")
PLACES = ("Harbor", "Valley", "Lakeside", "Northfield", "Riverside", "Summit", "Westport", "Eastgate", "Pine",
          "Cedar", "Granite", "Prairie", "Coastal", "Metro", "Capital", "Frontier", "Bay", "Highland")
MENU = ("Home", "World", "Business", "Markets", "Politics", "Technology", "Science", "Health", "Sports",
        "Opinion", "Culture", "Travel", "Energy", "Commodities", "Video", "Podcasts", "Weather", "Local",
        "Economy", "Companies", "Finance", "Lifestyle")
COOKIES = (
    "We use cookies and similar technologies to improve your experience, measure our audience and show you "
    "personalised advertising. By clicking Accept all you agree to the storing of cookies on your device. "
    "You can change your choices at any time in Privacy settings.",
    "This site uses cookies. Some are essential for it to work, others help us understand how you use "
    "{name} so we can improve it. Read our cookie policy to find out more, or manage your preferences.",
    "{name} and our partners store and access information on your device to deliver content, measure "
    "performance and personalise ads. Accept to continue, or reject non-essential cookies.",
)
NEWSLETTERS = (
    "Sign up for the {name} morning briefing: the day's top business stories in your inbox before 7am.",
    "Get our free {topic} newsletter. Subscribe now and never miss a story from {name}.",
    "Want more stories like this? Join thousands of readers of the {name} daily digest, free every weekday.",
)
NOTES = (
    "Editor's note: This story was first published by Reuters and is republished here under licence.",
    "This article is distributed by a news agency and has not been edited by {name} staff.",
    "Editor's note: This story has been updated with additional reporting.",
    "Content from our wire partners. {name} is not responsible for its accuracy.",
)
FOOTERS = (
    "Copyright {year} {name}. All rights reserved. Reproduction without permission is prohibited.",
    "{name} is published by {place} Media Group. Terms of use | Privacy policy | Contact us | Advertise",
    "About {name} | Careers | Corrections | Subscriptions | Help centre. Copyright {year} {place} Media Ltd.",
)
CSS = ("body{{font-family:{font};margin:0;color:#222}} .nav a{{margin:0 8px;color:{color}}} "
       ".cookie{{position:fixed;bottom:0;background:#eee;padding:12px}} .most-read li{{font-size:14px}} "
       "h1{{font-size:2em;color:{color}}} footer,.footer{{font-size:12px;color:#666}}")
JS = ("window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());"
      "gtag('config','{tag}');document.addEventListener('DOMContentLoaded',function(){{var b=document."
      "querySelector('.cookie');if(localStorage.getItem('consent'))b.style.display='none';}});")


@dataclass
class Story:
    """A Reuters story admitted to the set."""

    key: str
    title: str
    paras: list[str]
    date: str
    topic: str


@dataclass
class Site:
    """A site: its name, address, template style and template text."""

    name: str
    domain: str
    style: str
    menu: list[str]
    cookie: str
    newsletter: str
    note: str
    footer: str
    most_read: list[str] = field(default_factory=list)
    color: str = "#036"


@dataclass
class PageSpec:
    """One saved page: a story on a site, as the site edited it."""

    id: str
    story: str
    site: str
    wire: bool


@dataclass
class SavedPages:
    """A generated folder: page id -> HTML, the true pairs, and each page's story and site."""

    pages: dict[str, str]
    specs: list[PageSpec]
    positives: set[frozenset]
    stories: dict[str, Story]
    sites: dict[str, Site]

    @property
    def site_of(self) -> dict[str, str]:
        return {s.id: s.site for s in self.specs}

    def write(self, folder: Path) -> None:
        """Write the pages as ``folder/ID`` (UTF-8)."""
        folder.mkdir(parents=True, exist_ok=True)
        for pid, page in self.pages.items():
            (folder / pid).write_text(page, encoding="utf-8")


# ---------------------------------------------------------------- stories

def _headline(title: str) -> str:
    """A Reuters all-caps title in the case a site would print it."""
    title = re.sub(r"<[^>]*>", "", title)
    out = []
    for w in title.split():
        out.append(w if len(w) <= 3 and w.isupper() and w in ("U.S.", "UK", "EC", "OPEC", "IMF", "GNP")
                   else w.capitalize() if w.isalpha() else w.lower())
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def pick_stories(records: Sequence[dict], rng: random.Random, wanted: int) -> list[Story]:
    """Distinct, non-tabular Reuters stories of 30 to 600 words, in random order."""
    order = list(records)
    rng.shuffle(order)
    seen: set[int] = set()
    titles: dict[str, list[set[str]]] = {}
    out: list[Story] = []
    for r in order:
        if len(out) == wanted:
            break
        body = r.get("body") or ""
        title = (r.get("title") or "").strip()
        paras = paragraphs(body)
        ws = words(" ".join(paras))
        if not title or not paras or not 30 <= len(ws) <= 600:
            continue
        if sum(any(c.isdigit() for c in w) for w in ws) > 0.15 * len(ws):
            continue
        if "CORRECTED" in title.upper():
            continue
        sh = shingle_set(" ".join(paras), WORD5)
        if len(sh) == 0 or sum(int(x) in seen for x in sh.tolist()) > 0.2 * len(sh):
            continue
        day = (r.get("date") or "")[:11]
        tw = set(words(title))
        if any(len(tw & o) >= 0.5 * max(1, min(len(tw), len(o))) for o in titles.get(day, [])):
            continue
        titles.setdefault(day, []).append(tw)
        seen.update(sh.tolist())
        topic = (r.get("topics") or ["business"])[0]
        out.append(Story(f"r{r['newid']}", _headline(title), paras, r.get("date") or "", topic))
    return out


def _iso(date: str, rng: random.Random) -> str:
    m = re.match(r"(\d+)-([A-Z]{3})-(\d{4})", date.upper())
    months = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
    if not m or m.group(2) not in months:
        return "1987-03-01T12:00:00Z"
    return (f"{m.group(3)}-{months.index(m.group(2)) + 1:02d}-{int(m.group(1)):02d}T"
            f"{rng.randrange(6, 23):02d}:{rng.randrange(60):02d}:00Z")


# ---------------------------------------------------------------- sites

def make_site(n: int, style: str, rng: random.Random, used: set[str]) -> Site:
    while True:
        name = f"The {rng.choice(PLACES)} {rng.choice(SITE_WORDS)}"
        if rng.random() < 0.4:
            name = f"{rng.choice(PLACES)} {rng.choice(SITE_WORDS)} {rng.choice(SITE_WORDS)}"
        if name not in used:
            used.add(name)
            break
    domain = re.sub(r"[^a-z]", "", name.lower().replace("the ", "")) + rng.choice((".com", ".net", ".co.uk", ".org"))
    fmt = {"name": name, "place": rng.choice(PLACES), "year": 1987, "topic": rng.choice(("markets", "business",
                                                                                          "energy", "economy"))}
    menu = rng.sample(MENU, rng.randrange(6, 10))
    return Site(name, domain, style, menu, rng.choice(COOKIES).format(**fmt), rng.choice(NEWSLETTERS).format(**fmt),
                rng.choice(NOTES).format(**fmt), rng.choice(FOOTERS).format(**fmt),
                color=f"#{rng.randrange(0x1000000):06x}")


# ---------------------------------------------------------------- one page

def _e(text: str) -> str:
    return htmlmod.escape(text, quote=True)


def _variant_headline(headline: str, rng: random.Random) -> str:
    """A site's own headline for a wire story."""
    kind = rng.randrange(4)
    if kind == 0:
        return headline
    if kind == 1:
        return rng.choice(("UPDATE 1-", "WRAPUP-", "FOCUS-", "")) + headline
    if kind == 2:
        ws = headline.split()
        return " ".join(ws[: max(3, len(ws) - rng.randrange(1, 3))]) + rng.choice((", sources say", " - report",
                                                                                   ": what we know"))
    return headline.upper()


@dataclass
class Copy:
    """What one page shows: headline, paragraphs and the additions around them."""

    headline: str
    paras: list[str]
    caption: Optional[str]
    note: Optional[str]
    newsletter: bool
    related: list[str]
    date: str
    url: str


def make_copy(story: Story, site: Site, wire: bool, others: Sequence[str], rng: random.Random, slug: str) -> Copy:
    paras = list(story.paras)
    headline = story.title
    if wire:
        headline = _variant_headline(headline, rng)
        if len(paras) > 2 and rng.random() < 0.5:
            cut = rng.randrange(1, min(3, len(paras) - 1) + 1)
            paras = paras[:-cut]
    caption = None
    if rng.random() < 0.5:
        caption = rng.choice((f"A file photo shows {story.title.split(' ')[0]} offices. REUTERS/Staff",
                              f"Picture taken earlier this year. Photo: {site.name} archive",
                              "Traders work on the floor of the exchange. REUTERS/File Photo"))
    note = site.note if wire and rng.random() < 0.7 else None
    related = rng.sample(list(others), 3) if rng.random() < 0.6 else []
    return Copy(headline, paras, caption, note, rng.random() < 0.6, related, _iso(story.date, rng),
                f"https://www.{site.domain}/news/{slug}")


def _head(site: Site, c: Copy, rng: random.Random, og: bool, ld: bool, canonical: bool) -> str:
    meta = ["<meta charset=\"utf-8\">", f"<title>{_e(c.headline)} | {_e(site.name)}</title>",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"]
    if canonical:
        meta.append(f"<link rel=\"canonical\" href=\"{_e(c.url)}\">")
    if og:
        meta += [f"<meta property=\"og:title\" content=\"{_e(c.headline)}\">",
                 f"<meta property=\"og:site_name\" content=\"{_e(site.name)}\">",
                 "<meta property=\"og:type\" content=\"article\">",
                 f"<meta property=\"article:published_time\" content=\"{c.date}\">"]
        if canonical:
            meta.append(f"<meta property=\"og:url\" content=\"{_e(c.url)}\">")
    if ld:
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": c.headline,
                "datePublished": c.date, "publisher": {"@type": "Organization", "name": site.name}}
        if canonical:
            data["mainEntityOfPage"] = c.url
        meta.append(f"<script type=\"application/ld+json\">{json.dumps(data)}</script>")
    font = rng.choice(("Georgia,serif", "Arial,sans-serif", "Helvetica,Arial", "Times New Roman"))
    meta.append(f"<style>{CSS.format(font=font, color=site.color)}</style>")
    meta.append(f"<script>{JS.format(tag='G-' + site.domain.split('.')[0][:8].upper())}</script>")
    return "\n".join(meta)


def _list(items: Sequence[str], tag: str = "ul", cls: str = "") -> str:
    lis = "".join(f"<li><a href=\"/news/{zlib.crc32(t.encode()) % 99999}\">{_e(t)}</a></li>" for t in items)
    return f"<{tag}{f' class={cls!r}' if cls else ''}>{lis}</{tag}>"


def render(site: Site, c: Copy, rng: random.Random) -> str:
    """The page of one copy in its site's style."""
    most = rng.sample(site.most_read, min(5, len(site.most_read)))
    nav_links = " ".join(f"<a href=\"/{m.lower()}\">{m}</a>" for m in site.menu)
    body_paras = list(c.paras)
    style = site.style
    if style == "table":
        chunks = [_e(p) for p in body_paras]
        if c.note:
            chunks.insert(0, f"<i>{_e(c.note)}</i>")
        if c.newsletter:
            chunks.insert(min(2, len(chunks)), f"<b>{_e(site.newsletter)}</b>")
        if c.caption:
            chunks.insert(0, f"<font size=1>{_e(c.caption)}</font>")
        if c.related:
            chunks.append("<b>Related:</b><br>" + "<br>".join(f"<a href=\"/news/{zlib.crc32(r.encode()) % 99999}\">"
                                                           f"{_e(r)}</a>" for r in c.related))
        cell = "<br><br>\n".join(chunks)
        side = "<br>".join(f"<a href=\"/news/{zlib.crc32(m.encode()) % 99999}\">{_e(m)}</a>" for m in most)
        head = _head(site, c, rng, og=False, ld=False, canonical=False)
        return (f"<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n"
                f"<!-- saved from url=({len(c.url):04d}){c.url} -->\n<html><head>{head}</head>\n"
                f"<body bgcolor=\"#ffffff\"><table width=\"100%\" border=0 cellpadding=4>\n"
                f"<tr><td colspan=3 bgcolor=\"{site.color}\"><font size=5 color=white>{_e(site.name)}</font>"
                f"</td></tr>\n"
                f"<tr><td colspan=3 class=nav>{nav_links}</td></tr>\n"
                f"<tr><td colspan=3><font size=1>{_e(site.cookie)} <a href=\"#\">OK</a></font></td></tr>\n"
                f"<tr><td width=\"15%\" valign=top>{'<br>'.join(site.menu)}</td>\n"
                f"<td width=\"65%\" valign=top><font size=4><b>{_e(c.headline)}</b></font><br>"
                f"<font size=1>{c.date[:10]}</font><br><br>\n{cell}</td>\n"
                f"<td width=\"20%\" valign=top><b>Most read</b><br>{side}</td></tr>\n"
                f"<tr><td colspan=3 align=center><font size=1>{_e(site.footer)}</font></td></tr>\n"
                f"</table></body></html>\n")
    # paragraph-based styles
    def p(text: str, cls: str = "") -> str:
        if style == "magazine":
            return f"<div class=\"para {cls}\">{_e(text)}</div>"
        return f"<p{f' class={cls!r}' if cls else ''}>{_e(text)}</p>"
    inner = [p(x) for x in body_paras]
    if c.newsletter:
        inner.insert(min(2, len(inner)), f"<div class=\"newsletter-promo\">{p(site.newsletter)}</div>"
                     if style != "divs" else f"<div class=\"promo\">{_e(site.newsletter)}</div>")
    if c.related:
        rel = (f"<div class=\"related\"><h3>Related</h3>{_list(c.related)}</div>" if style != "semantic"
               else f"<aside class=\"related\"><h3>Related</h3>{_list(c.related)}</aside>")
        inner.insert(min(2 if style == "portal" else len(inner), len(inner)), rel)
    if c.note:
        note = f"<p><em>{_e(c.note)}</em></p>" if style in ("blog", "semantic") else p(c.note, "note")
        inner.insert(0, note) if style == "blog" else inner.append(note)
    if c.caption:
        cap = (f"<figure><img src=\"/img/{zlib.crc32(c.url.encode()) % 9999}.jpg\" alt=\"\"><figcaption>{_e(c.caption)}"
               f"</figcaption></figure>" if style in ("semantic", "portal")
               else f"<p class=\"caption\">{_e(c.caption)}</p>" if style == "magazine"
               else f"<div class=\"img\"><img src=\"/i.jpg\"><div class=\"cap\">{_e(c.caption)}</div></div>")
        inner.insert(0, cap)
    story = "\n".join(inner)
    most_html = f"<div class=\"most-read\"><h3>Most read</h3>{_list(most, 'ol')}</div>"
    cookie = f"<div class=\"cookie\" id=\"consent\"><p>{_e(site.cookie)}</p><button>Accept all</button></div>"
    dtype = "<!DOCTYPE html>"
    if style == "semantic":
        head = _head(site, c, rng, og=True, ld=True, canonical=True)
        body = (f"<header><a class=\"logo\" href=\"/\">{_e(site.name)}</a>"
                f"<nav class=\"nav\">{nav_links}</nav></header>\n"
                f"{cookie}\n<main><article><h1>{_e(c.headline)}</h1><time datetime=\"{c.date}\">{c.date[:10]}</time>\n"
                f"{story}\n</article>\n<aside>{most_html}</aside></main>\n<footer><p>{_e(site.footer)}</p></footer>")
    elif style == "divs":
        head = _head(site, c, rng, og=False, ld=True, canonical=False)
        body = (f"<div class=\"top\"><div class=\"logo\">{_e(site.name)}</div>"
                f"<div class=\"nav\">{nav_links}</div></div>\n"
                f"{cookie}\n<div class=\"wrap\"><div class=\"col-main\"><div class=\"headline\">{_e(c.headline)}</div>"
                f"<div class=\"dateline\">{c.date[:10]}</div>\n<div class=\"story-body\">{story}</div></div>\n"
                f"<div class=\"col-side\">{most_html}</div></div>\n<div class=\"footer\">{_e(site.footer)}</div>")
    elif style == "blog":
        head = _head(site, c, rng, og=False, ld=False, canonical=True)
        body = (f"<div id=\"masthead\"><span>{_e(site.name)}</span><ul class=\"menu\">"
                + "".join(f"<li>{m}</li>" for m in site.menu) + f"</ul></div>\n{cookie}\n"
                f"<div id=\"content\"><section class=\"post\"><h2 class=\"entry-title\">{_e(c.headline)}</h2>"
                f"<span class=\"posted-on\">Posted on {c.date[:10]}</span>\n<div class=\"entry-content\">{story}</div>"
                f"</section>\n<section class=\"widget\">{most_html}</section></div>\n"
                f"<div id=\"colophon\"><p>{_e(site.footer)}</p></div>")
    elif style == "portal":
        head = _head(site, c, rng, og=True, ld=True, canonical=True)
        body = (f"<header><nav class=\"nav\">{nav_links}</nav></header>\n{cookie}\n<main>"
                f"<h1 itemprop=\"headline\">{_e(c.headline)}</h1><div class=\"byline\">By Reuters staff | "
                f"{c.date[:10]}</div>\n<div itemprop=\"articleBody\">{story}</div>\n{most_html}\n"
                f"<div class=\"share\">Share this article: Facebook Twitter Email</div></main>\n"
                f"<footer>{_e(site.footer)}</footer>")
    else:  # magazine
        head = _head(site, c, rng, og=True, ld=False, canonical=False)
        body = (f"<div class=\"bar\"><b>{_e(site.name)}</b> {nav_links}</div>\n{cookie}\n<article>"
                f"<h1>{_e(c.headline)}</h1><p class=\"dek\">{c.date[:10]}</p>\n{story}\n</article>\n"
                f"<div class=\"rail\">{most_html}</div>\n<div class=\"footer\">{_e(site.footer)}</div>")
    return f"{dtype}\n<html lang=\"en\"><head>\n{head}\n</head>\n<body>\n{body}\n</body></html>\n"


# ---------------------------------------------------------------- the set

def _sites_for(layout: str, n_pages: int, rng: random.Random) -> tuple[list[Site], list[int]]:
    """Sites and how many pages each holds."""
    used: set[str] = set()
    if layout == "small":
        count = -(-n_pages // 3)
        sites = [make_site(i, STYLES[i % len(STYLES)], rng, used) for i in range(count)]
        return sites, [3] * count
    small = [make_site(i, STYLES[i % len(STYLES)], rng, used) for i in range(12)]
    small_caps = [rng.choice((2, 3)) for _ in small]
    big = [make_site(i, s, rng, used) for i, s in enumerate(STYLES)]
    rest = n_pages - sum(small_caps)
    big_caps = [rest // len(big) + (1 if i < rest % len(big) else 0) for i in range(len(big))]
    return big + small, big_caps + small_caps


def build(records: Sequence[dict], seed: int = 11, layout: str = "mixed", wire: int = 120,
          single: int = 250) -> SavedPages:
    """Generate the saved-pages set.

    Args:
        records: Reuters-21578 records.
        seed: random seed (the set is a function of it).
        layout: ``"mixed"`` or ``"small"`` (three pages a site).
        wire: stories republished by two to four sites.
        single: stories on one site each.
    """
    rng = random.Random(seed)
    stories = pick_stories(records, rng, wire + single)
    wire_stories, single_stories = stories[:wire], stories[wire:]
    copies = [rng.choice((2, 2, 3, 3, 4)) for _ in wire_stories]
    n_pages = sum(copies) + len(single_stories)
    sites, caps = _sites_for(layout, n_pages, rng)
    free = dict(enumerate(caps))
    placement: list[tuple[Story, int, bool]] = []
    # The most copies first, each on distinct sites with room left, drawn in proportion to their room.
    for story, k in sorted(zip(wire_stories, copies), key=lambda x: -x[1]):
        chosen: list[int] = []
        while len(chosen) < k:
            open_sites = [s for s, n in free.items() if n > 0 and s not in chosen]
            if not open_sites:
                break
            chosen.append(rng.choices(open_sites, weights=[free[s] for s in open_sites])[0])
        for s in chosen:
            free[s] -= 1
            placement.append((story, s, True))
    slots = [s for s, n in free.items() for _ in range(n)]
    rng.shuffle(slots)
    for story, s in zip(single_stories, slots):
        placement.append((story, s, False))
    titles = [s.title for s in stories]
    for site in sites:
        site.most_read = rng.sample(titles, 8)
    pages: dict[str, str] = {}
    specs: list[PageSpec] = []
    rng.shuffle(placement)
    for n, (story, s, is_wire) in enumerate(placement):
        site = sites[s]
        slug = "-".join(words(story.title)[:6]) + f"-{n}"
        pid = f"{site.domain.split('.')[0]}_{n:04d}.html"
        others = [t for t in titles if t != story.title]
        copy = make_copy(story, site, is_wire, others, rng, slug)
        pages[pid] = render(site, copy, rng)
        specs.append(PageSpec(pid, story.key, site.domain, is_wire))
    by_story: dict[str, list[str]] = {}
    for sp in specs:
        by_story.setdefault(sp.story, []).append(sp.id)
    positives = {frozenset(p) for ids in by_story.values() for p in combinations(sorted(ids), 2)}
    return SavedPages(dict(sorted(pages.items())), sorted(specs, key=lambda s: s.id), positives,
                      {s.key: s for s in stories}, {s.domain: s for s in sites})


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the pages to (created; existing files with the "
                                               "same names are replaced)")
    parser.add_argument("--layout", choices=("mixed", "small"), default="mixed")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder [default: %(default)s]")
    parser.add_argument("--truth", type=Path, help="also write the true pairs as JSON lines to this file")
    args = parser.parse_args(argv)
    reuters = args.data / "reuters21578" / "reuters21578.jsonl.gz"
    if not reuters.exists():
        print(f"error: {reuters} not found (give the shared data folder with --data)", file=sys.stderr)
        return 1
    sp = build(load_reuters(reuters), args.seed, args.layout)
    sp.write(args.out)
    if args.truth:
        args.truth.write_text("".join(json.dumps(sorted(p)) + "\n" for p in sorted(sp.positives, key=sorted)),
                              encoding="utf-8")
    wire = sum(s.wire for s in sp.specs)
    print(f"{len(sp.pages)} pages on {len(sp.sites)} sites in {args.out}: {wire} copies of wire stories, "
          f"{len(sp.specs) - wire} single-site stories, {len(sp.positives)} true pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The occasion check on a feed of JSON records: titles given apart from the text, bylines, a site's
footer, the draws of one day and an evening update; what a newsroom's or an aggregator's feed holds."""

from __future__ import annotations

import json
from pathlib import Path

from dedup import read_documents, scan as dedup_scan
from dedup.records import separate_titles


FOOTER = ("The Riverside Courier is a nonprofit newsroom. Support local journalism: become a member today at "
          "riversidecourier.org/join. Sign up for our free morning newsletter to get the day's top stories "
          "delivered to your inbox. Have a news tip? Email newsroom@riversidecourier.org or call 951-555-0190. "
          "Copyright 2026 The Riverside Courier. All rights reserved. This material may not be published, "
          "broadcast, rewritten or redistributed without permission.")


def feed_records() -> list[dict]:
    """A feed's records: one outlet's briefs, a story and its evening update, a day's two draws."""
    records = [
        # One outlet's briefs: a byline on top, a long footer below; two stories.
        {"id": "turkeys", "title": "Food bank short of turkeys a week before Thanksgiving",
         "date": "2026-11-19T10:15:00-08:00",
         "text": "By Courier Staff\n\nFeeding America Riverside says it is about 2,000 turkeys short of its goal "
                 "a week before Thanksgiving and is asking residents to donate frozen birds or cash. Donations are "
                 "accepted at the food bank's warehouse on Cal Cargo Drive weekdays from 8 a.m. to 4 p.m.\n\n"
                 + FOOTER},
        {"id": "lanes", "title": "Market Street lane closures for utility work", "date": "2026-11-19T10:40:00-08:00",
         "text": "By Courier Staff\n\nSouthbound Market Street will be reduced to one lane between University Avenue "
                 "and Mission Inn Avenue from 9 a.m. to 3 p.m. Monday through Wednesday for utility work, the city "
                 "said.\n\n" + FOOTER},
        # A story and its evening update: the update's lead paragraph says "Friday evening", its title does not.
        {"id": "fire-1", "title": "2 dead in Danvers house fire", "date": "2026-11-20T06:35:00-05:00",
         "text": "DANVERS, Mass. -- Two people died in a house fire on Pickering Street early Friday, fire officials "
                 "said.\n\nFirefighters were called to the two-family home at about 3:40 a.m. and found heavy flames "
                 "coming from the second floor, Danvers Fire Chief Kevin Farrell said. Two residents were pulled "
                 "from the building and pronounced dead at the scene.\n\nThe cause of the fire is under investigation "
                 "by the Danvers Fire Department, Danvers police and the State Fire Marshal's office. Farrell said it "
                 "did not appear to be suspicious.\n\nThe American Red Cross is assisting two adults displaced from "
                 "the first-floor unit."},
        {"id": "fire-2", "title": "Third person dies after Danvers house fire", "date": "2026-11-20T19:50:00-05:00",
         "text": "DANVERS, Mass. -- Two people died in a house fire on Pickering Street early Friday, and officials "
                 "on Friday evening said a third died later in hospital.\n\nFirefighters were called to the "
                 "two-family home at about 3:40 a.m. and found heavy flames coming from the second floor, Danvers "
                 "Fire Chief Kevin Farrell said. Two residents were pulled from the building and pronounced dead at "
                 "the scene.\n\nThe cause of the fire is under investigation by the Danvers Fire Department, Danvers "
                 "police and the State Fire Marshal's office. Farrell said it did not appear to be suspicious.\n\n"
                 "The American Red Cross is assisting two adults displaced from the first-floor unit."},
    ]
    for session, when, numbers in (("Midday", "12:30", ("4-7-1", "0-3-3-8", "06-11-19-27-33")),
                                   ("Evening", "19:30", ("2-2-9", "7-1-4-0", "03-14-19-30-35"))):
        records.append({"id": f"draw-{session.lower()}", "title": f"Ohio Lottery {session} results for Nov. 14",
                        "date": f"2026-11-14T{when}:00-05:00",
                        "text": "Here are the winning numbers from the Ohio Lottery drawings on Saturday, Nov. 14, "
                                f"2026. Pick 3: {numbers[0]}. Pick 4: {numbers[1]}. Rolling Cash 5: {numbers[2]}. The "
                                "Powerball jackpot for Monday is an estimated $412 million, with a cash option of "
                                "$191.6 million."})
    # A story and its correction, which says so in its title field only: kept before the longer original.
    mall = ("NORTHGATE, Ohio -- The Northgate Mall was sold for ${} million to Crestline Properties, the mall's "
            "owner said on Friday. Crestline plans to add apartments and a grocery store on the site of the former "
            "department store, and said all current leases will be honored. The sale closes in January, subject to "
            "approval by the city's planning board.")
    records.append({"id": "mall", "title": "Northgate mall sold for $41 million", "date": "2026-11-20T10:00:00-05:00",
                    "text": mall.format(41) + " The mall opened in 1972 and has 84 stores."})
    records.append({"id": "mall-fix", "title": "CORRECTED-Northgate mall sold for $44 million",
                    "date": "2026-11-20T13:00:00-05:00", "text": mall.format(44)})
    return records


def write_feed(folder: Path) -> Path:
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in feed_records()), encoding="utf-8")
    return feed


def test_a_feeds_titles_bylines_and_draws(tmp_path: Path):
    feed = write_feed(tmp_path)
    clusters = [sorted(m.id for m in c.members) for c in dedup_scan([feed]).clusters]
    assert clusters == [["fire-1", "fire-2"], ["mall", "mall-fix"]]
    assert [c.keep for c in dedup_scan([feed]).clusters] == ["fire-2", "mall-fix"]
    # Without the date check the draws are one text; the briefs share their footer.
    loose = [sorted(m.id for m in c.members) for c in dedup_scan([feed], date_window=0, subject=1.0).clusters]
    assert ["draw-evening", "draw-midday"] in loose and ["lanes", "turkeys"] in loose


def test_a_records_title_is_read_apart_from_its_text_unless_the_text_starts_with_it(tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "apart", "title": "Citigroup raises  prime rate", "text": "NEW YORK - Citigroup said on Wednesday ..."},
        {"id": "on-top", "title": "Citigroup raises prime rate",
         "text": "Citigroup raises\nprime rate\n\nNEW YORK ..."},
        {"id": "from-fields", "title": "Citigroup raises prime rate", "body": "NEW YORK - Citigroup said ..."},
        {"id": "untitled", "text": "NEW YORK - Citigroup said ..."}]), encoding="utf-8")
    docs = list(read_documents([str(feed)]))
    assert separate_titles(docs) == ["Citigroup raises prime rate", None, None, None]

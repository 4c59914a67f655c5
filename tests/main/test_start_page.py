"""The start page's map as a list: the initiatives grouped by the Land they are active in."""

from __future__ import annotations

import re


def test_map_list_groups_initiatives_by_land(client, login_as, make):
    login_as("staff")
    make.initiative(name="Zukunft durch Industrie", laender=["05"])
    make.initiative(name="Bündnis Ruhr", laender=["05", "09"])
    make.initiative(name="Allianz Bayern", laender=["09"])
    make.initiative(name="Ohne Land")
    html = client.get("/").get_data(as_text=True)
    listing = re.search(r'<details[^>]*data-list="initiatives-by-land">(.*?)</details>', html, re.S)
    assert listing, "no list of the map's initiatives by Land"
    groups = {
        ags: re.findall(r"<a href=\"/initiatives/\d+\">([^<]+)</a>", body)
        for ags, body in re.findall(r'<li data-land="(\d\d)">(.*?)</ul>', listing.group(1), re.S)
    }
    # Länder in AGS order, each with its initiatives by name; one active in two Länder is
    # under both; Länder without initiatives and initiatives without a Land are left out
    assert list(groups) == ["05", "09"]
    assert groups["05"] == ["Bündnis Ruhr", "Zukunft durch Industrie"]
    assert groups["09"] == ["Allianz Bayern", "Bündnis Ruhr"]
    assert "Nordrhein-Westfalen" in listing.group(1) and "Bayern" in listing.group(1)
    assert "Ohne Land" not in listing.group(1)

"""Reasons carry a code and its data, so the web layer can word them in any language;
`text` is the German wording of the same code and data."""

from __future__ import annotations

from crm.graph import suggest_connections
from crm.graph.suggest import german_text
from tests.graph.test_suggest import initiatives


def test_reasons_are_codes_with_their_data() -> None:
    b, c = suggest_connections(initiatives(), "A")
    assert [(r.code, dict(r.data)) for r in b.reasons] == [
        ("shared_member", {"label": "Ford"}),
        ("shared_member", {"label": "IHK Köln"}),
        ("same_region", {}),
    ]
    assert [(r.code, dict(r.data)) for r in c.reasons] == [
        ("shared_member", {"label": "IHK Köln"}),
        ("complementary_mix", {"types": ["Hochschule"]}),
        ("neighbouring_region", {}),
    ]
    for reason in (*b.reasons, *c.reasons):
        assert german_text(reason.code, reason.data) == reason.text


def test_folded_reasons_count() -> None:
    assert german_text("further_one", {"count": 1}) == "… und 1 weitere gemeinsame Verbindung"
    assert german_text("further", {"count": 7}) == "… und 7 weitere gemeinsame Verbindungen"

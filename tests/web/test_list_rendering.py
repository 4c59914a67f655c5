"""Helpers that keep the rows of a list cheap: a record's URL built once and filled in per
row, enum labels translated once per catalogue, a select's options kept."""

from __future__ import annotations

import pytest
from flask import url_for

from crm.models import OrgType
from crm.web.labels import label
from crm.web.templating import option_tags
from crm.web.templating import url_for_id


@pytest.mark.parametrize(
    ("endpoint", "argument"),
    [
        ("directory.person_detail", "person_id"),
        ("directory.organisation_detail", "organisation_id"),
        ("directory.initiative_detail", "initiative_id"),
    ],
)
def test_url_for_id_is_url_for(app, endpoint, argument):
    with app.test_request_context("/persons/?page=3"):
        url = url_for_id(endpoint, argument)
        for record_id in (1, 7, 2_147_483_647, 10**12):
            assert url(record_id) == url_for(endpoint, **{argument: record_id})


def test_labels_follow_the_language_of_each_request(app):
    for language, expected in [("de", "Unternehmen"), ("en", "Company"), ("de", "Unternehmen")]:
        with app.test_request_context(headers={"Accept-Language": language}):
            assert label(OrgType.UNTERNEHMEN) == expected
    assert label(None) == ""


def test_kept_options_follow_the_choice_and_the_labels():
    options = [("1", "eins"), ("2", "zwei")]
    assert 'value="2" selected' in option_tags(options, "2")
    assert 'value="1" selected' in option_tags(options, 1)
    assert "selected" not in option_tags(options, "3")
    assert ">two<" in option_tags([("1", "one"), ("2", "two")], "2")

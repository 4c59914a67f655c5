"""Duplicates: scoring and blocking, the pages (and who may not), merges that keep every
link and both histories, unique-constraint conflicts, undo, "Meinten Sie …?", the CLI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db.engine import writing
from crm.duplicates import matching as m
from crm.duplicates import queries
from crm.duplicates import services
from crm.extensions import db
from crm.models import Affiliation
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import RecordMerge
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import SuggestionDecision
from crm.models import SuggestionFeedback
from crm.models import WorkshopPreference
from tests.helpers import count_rows

# -- scoring and blocking (no database) ----------------------------------------------------


def test_fold_name_folds_case_umlauts_and_punctuation():
    assert m.fold_name("Müller-Lüdenscheidt GmbH") == m.fold_name("MUELLER LUEDENSCHEIDT gmbh")
    assert m.fold_name("Straße") == m.fold_name("strasse")
    assert m.org_core("Brandt & Söhne GmbH & Co. KG") == "brandt soehne"


def test_website_domain():
    assert m.website_domain("https://www.Beispiel.de/kontakt") == "beispiel.de"
    assert m.website_domain("beispiel.de") == "beispiel.de"
    assert m.website_domain("") == ""


def test_org_pairs_find_spelling_variants_with_reasons():
    rows = [
        m.OrgRow(1, "Müller Maschinenbau GmbH", "50667", "Köln", "https://mueller-mb.example.org"),
        m.OrgRow(2, "Mueller Maschinenbau", "50667", "Köln", "www.mueller-mb.example.org"),
        m.OrgRow(3, "Schmidt Logistik AG", "10115", "Berlin"),
        m.OrgRow(4, "Stadtwerke Ulm", "89073", "Ulm"),
    ]
    pairs = m.org_pairs(rows)
    assert [(p.a_id, p.b_id) for p in pairs] == [(1, 2)]
    assert pairs[0].score >= 95
    assert set(pairs[0].reasons) == {m.SAME_NAME, m.SAME_PLZ, m.SAME_WEBSITE}


def test_org_pairs_use_other_names_and_tolerate_typos():
    rows = [
        m.OrgRow(1, "Industrie- und Handelskammer Ulm", "89073", other_names="IHK Ulm"),
        m.OrgRow(2, "IHK Ulm", "89073"),
        m.OrgRow(3, "Maschinenfabrik Reinhausen", "93059"),
        m.OrgRow(4, "Maschinenfabrik Reinhasuen", "93059"),
    ]
    found = {(p.a_id, p.b_id) for p in m.org_pairs(rows)}
    assert found == {(1, 2), (3, 4)}


def test_blocking_leaves_out_unrelated_records_and_huge_blocks():
    rows = [m.OrgRow(i, f"Firma Nummer {i:05d} Werk", "10115") for i in range(1, 200)]
    # no two names are alike beyond their common words; nothing is reported
    assert m.org_pairs(rows) == []


def test_person_pairs_same_email_and_similar_names_with_same_organisation():
    rows = [
        m.PersonRow(1, "Jürgen", "Weiß", "j.weiss@example.org", frozenset({7})),
        m.PersonRow(2, "Juergen", "Weiss", None, frozenset({7})),
        m.PersonRow(3, "J.", "Weiss", "j.weiss@example.org"),
        m.PersonRow(4, "Anna", "Schulz", "anna@example.org"),
    ]
    pairs = {(p.a_id, p.b_id): p for p in m.person_pairs(rows)}
    assert set(pairs) >= {(1, 2), (1, 3)}
    assert (1, 4) not in pairs
    assert m.SAME_EMAIL in pairs[(1, 3)].reasons
    assert {m.SAME_NAME, m.SAME_ORGANISATION} <= set(pairs[(1, 2)].reasons)


def test_person_pairs_namesakes_with_other_addresses_score_lower():
    rows = [
        m.PersonRow(1, "Thomas", "Müller", "t.mueller@a.example.org"),
        m.PersonRow(2, "Thomas", "Müller", "t.mueller@b.example.org"),
        m.PersonRow(3, "Thomas", "Müller", None, frozenset({1})),
        m.PersonRow(4, "Thomas", "Müller", None, frozenset({1})),
    ]
    pairs = {(p.a_id, p.b_id): p.score for p in m.person_pairs(rows)}
    assert (1, 2) not in pairs  # two addresses, nothing else in common: namesakes
    assert pairs[(3, 4)] >= 95  # same name at the same organisation


# -- helpers -----------------------------------------------------------------------------


def _merge(app: Any, kind: str, keep_id: int, other_id: int, **choices: str) -> int:
    with app.app_context(), writing():
        record = services.merge(kind, keep_id, other_id, choices or None)
        db.session.commit()
        return record.id


def _merged_then_changed(app: Any, make: Any, name: str, **change: str) -> int:
    """Organisations "`name` GmbH" and "`name`" merged (the other's website kept), then the
    kept one changed by `change`; the merge's id."""
    keep = make.organisation(name=f"{name} GmbH")
    other = make.organisation(name=name, website="other.example.org")
    merge_id = _merge(app, "organisation", keep.id, other.id, website="other")
    with app.app_context(), writing():
        record = db.session.get_one(Organisation, keep.id)
        for key, value in change.items():
            setattr(record, key, value)
        db.session.commit()
    return merge_id


def _undo(app: Any, merge_id: int) -> None:
    with app.app_context(), writing():
        services.undo(db.session.get_one(RecordMerge, merge_id))
        db.session.commit()


# -- the pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_duplicates_page_lists_pairs_with_reasons(client, make, login_as, role):
    a = make.organisation(name="Müller Maschinenbau GmbH", plz="50667")
    b = make.organisation(name="Mueller Maschinenbau", plz="50667")
    make.organisation(name="Stadtwerke Ulm", plz="89073")
    login_as(role)
    html = client.get("/duplicates/organisations/").get_data(as_text=True)
    assert f'data-pair="{a.id}-{b.id}"' in html
    assert "gleicher Name" in html and "gleiche PLZ" in html
    assert "Stadtwerke Ulm" not in html
    assert client.get("/duplicates/persons/").status_code == 200
    assert client.get("/duplicates/initiatives/").status_code == 404


def test_duplicates_page_refuses_editors_and_anonymous(client, make, login_as):
    make.organisation(name="Müller Maschinenbau GmbH")
    make.organisation(name="Mueller Maschinenbau")
    response = client.get("/duplicates/organisations/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    initiative = make.initiative()
    login_as("editor", initiative=initiative)
    assert client.get("/duplicates/organisations/").status_code == 403
    assert client.get("/duplicates/organisations/merge/1/2").status_code == 403
    assert client.post("/duplicates/organisations/1/2/dismiss").status_code == 403


def test_kein_duplikat_hides_the_pair(app, client, make, login_as):
    a = make.person(first_name="Jürgen", last_name="Weiß", email="jw@example.org")
    b = make.person(first_name="Juergen", last_name="Weiss", email="jw@example.org")
    login_as("staff")
    assert f'data-pair="{a.id}-{b.id}"' in client.get("/duplicates/persons/").get_data(True)
    response = client.post(f"/duplicates/persons/{b.id}/{a.id}/dismiss")
    assert response.status_code == 302
    assert f'data-pair="{a.id}-{b.id}"' not in client.get("/duplicates/persons/").get_data(True)
    # twice is harmless; a pair of missing records is a 404 and changes nothing
    assert client.post(f"/duplicates/persons/{a.id}/{b.id}/dismiss").status_code == 302
    assert client.post(f"/duplicates/persons/{a.id}/999999/dismiss").status_code == 404


# -- merging organisations -----------------------------------------------------------------


def test_merge_organisations_keeps_every_link_and_both_histories(app, make):
    ini, ini2, ini3 = make.initiative(), make.initiative(), make.initiative()
    keep = make.organisation(name="Müller Maschinenbau GmbH", plz="50667")
    other = make.organisation(name="Mueller Maschinenbau", website="https://mueller.example.org")
    third = make.organisation(name="Dritte AG")
    person = make.person()
    # both members of ini: one membership with the wider period must stay
    kept_m = make.membership(keep, ini, since=dt.date(2020, 1, 1), until=dt.date(2021, 12, 31))
    gone_m = make.membership(other, ini, since=dt.date(2018, 5, 1), until=None)
    moved_m = make.membership(other, ini2)
    aff = make.affiliation(person, other, function="Leitung")
    with app.app_context(), writing():
        rel = Relationship(
            organisation_a_id=other.id,
            organisation_b_id=third.id,
            kind=RelationshipKind.KOOPERATION,
        )
        between = Relationship(
            organisation_a_id=keep.id, organisation_b_id=other.id, kind=RelationshipKind.KOOPERATION
        )
        db.session.add_all([rel, between])
        db.session.get_one(Initiative, ini3.id).host_organisation_id = other.id
        db.session.commit()
        rel_id = rel.id
    interaction = make.interaction(organisation_id=other.id)
    event = make.event()
    registration = make.registration(event, person, organisation_id=other.id)

    merge_id = _merge(app, "organisation", keep.id, other.id, website="other")

    with app.app_context():
        assert db.session.get(Organisation, other.id) is None
        merged = db.session.get_one(Organisation, keep.id)
        assert merged.website == "https://mueller.example.org"
        # the newer record's name wins by default; the other one stays as another name
        assert merged.name == "Mueller Maschinenbau"
        assert merged.other_names == "Müller Maschinenbau GmbH"
        memberships = db.session.scalars(
            select(Membership).where(Membership.organisation_id == keep.id)
        ).all()
        assert {(ms.id, ms.initiative_id) for ms in memberships} == {
            (kept_m.id, ini.id),
            (moved_m.id, ini2.id),
        }
        wide = db.session.get_one(Membership, kept_m.id)
        assert (wide.since, wide.until) == (dt.date(2018, 5, 1), None)
        assert db.session.get(Membership, gone_m.id) is None
        assert db.session.get_one(Affiliation, aff.id).organisation_id == keep.id
        assert db.session.get_one(Relationship, rel_id).organisation_a_id == keep.id
        assert db.session.get_one(Interaction, interaction.id).organisation_id == keep.id
        assert db.session.get_one(Registration, registration.id).organisation_id == keep.id
        assert db.session.get_one(Initiative, ini3.id).host_organisation_id == keep.id
        # no self-relationship survives
        assert not db.session.scalars(
            select(Relationship).where(
                Relationship.organisation_a_id == keep.id,
                Relationship.organisation_b_id == keep.id,
            )
        ).all()
        record = db.session.get_one(RecordMerge, merge_id)
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.batch == record.batch)
        ).all()
        assert {(e.record_type, e.action.value) for e in entries} >= {
            ("organisations", "delete"),
            ("organisations", "update"),
            ("memberships", "delete"),
            ("memberships", "update"),
        }


def test_verlauf_of_the_kept_record_shows_the_removed_records_history(app, client, make, login_as):
    keep = make.organisation(name="Alpha Metall GmbH")
    other = make.organisation(name="Alpha Metall")
    with app.app_context(), writing():
        db.session.get_one(Organisation, other.id).legal_name = "Alpha Metall Rechtsname"
        db.session.commit()
    merge_id = _merge(app, "organisation", keep.id, other.id)
    login_as("staff")
    html = client.get(f"/history/organisation/{keep.id}").get_data(as_text=True)
    assert "Alpha Metall Rechtsname" in html  # the removed record's own change
    assert f'data-undo-merge="{merge_id}"' in html


def test_merge_page_confirmation_and_merge(app, client, make, login_as):
    keep = make.organisation(name="Beta Chemie GmbH", plz="10115")
    other = make.organisation(name="Beta Chemie", plz="10117", website="beta.example.org")
    login_as("staff")
    url = f"/duplicates/organisations/merge/{keep.id}/{other.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="field-website"' in page and 'value="other" checked' in page
    # the first post only asks
    data = {
        "keep_version": "1",
        "other_version": "1",
        "field-address": "other",
        "field-website": "other",
    }
    confirm = client.post(url, data=data)
    assert confirm.status_code == 200 and "Wirklich zusammenführen?" in confirm.get_data(True)
    assert count_rows(app, Organisation) == 2
    # bad input: a clear message, nothing changed
    bad = client.post(url, data=data | {"field-name": "beide?", "confirmed": "1"})
    assert bad.status_code == 302 and count_rows(app, Organisation) == 2
    stale = client.post(url, data=data | {"keep_version": "7", "confirmed": "1"})
    assert stale.status_code == 302 and count_rows(app, Organisation) == 2
    done = client.post(url, data=data | {"confirmed": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/{keep.id}")
    with app.app_context():
        merged = db.session.get_one(Organisation, keep.id)
        assert (merged.plz, merged.website) == ("10117", "beta.example.org")
        assert db.session.get(Organisation, other.id) is None


def test_merging_a_record_with_itself_or_a_missing_one_is_404(client, make, login_as):
    org = make.organisation()
    login_as("staff")
    assert client.get(f"/duplicates/organisations/merge/{org.id}/{org.id}").status_code == 404
    assert client.get(f"/duplicates/organisations/merge/{org.id}/999999").status_code == 404


# -- merging persons: unique constraints, every link, undo -----------------------------------


def _person_world(app: Any, make: Any) -> dict[str, Any]:
    ini = make.initiative()
    org, org2 = make.organisation(), make.organisation()
    keep = make.person(first_name="Jürgen", last_name="Weiß", email="jw@example.org")
    other = make.person(first_name="Juergen", last_name="Weiss", email="j.weiss@example.org")
    event, event2 = make.event(), make.event()
    workshop = make.workshop(event)
    ids: dict[str, Any] = {"keep": keep.id, "other": other.id}
    ids["aff_keep"] = make.affiliation(keep, org, since=dt.date(2022, 1, 1)).id
    ids["aff_twin"] = make.affiliation(other, org, function="Leitung", since=dt.date(2019, 1, 1)).id
    ids["aff_moved"] = make.affiliation(other, org2).id
    ids["role_keep"] = make.initiative_role(keep, ini).id
    ids["role_twin"] = make.initiative_role(other, ini).id
    ids["consent"] = make.consent(other).id
    # both registered for `event`: the attended one stays (unique event × person)
    ids["reg_keep"] = make.registration(event, keep, status=RegistrationStatus.CANCELLED).id
    reg_other = make.registration(event, other, status=RegistrationStatus.ATTENDED)
    ids["reg_other"] = reg_other.id
    ids["reg_moved"] = make.registration(event2, other).id
    with app.app_context(), writing():
        db.session.add(
            WorkshopPreference(registration_id=ids["reg_keep"], workshop_id=workshop.id, rank=1)
        )
        interaction = Interaction(kind="call", subject="Anruf")
        interaction.persons = [
            db.session.get_one(Person, keep.id),
            db.session.get_one(Person, other.id),
        ]
        solo = Interaction(kind="call", subject="Nur der andere")
        solo.persons = [db.session.get_one(Person, other.id)]
        db.session.add_all([interaction, solo])
        db.session.commit()
        ids["interaction"], ids["solo"] = interaction.id, solo.id
    return ids


def _person_state(app: Any, ids: dict[str, Any]) -> dict[str, Any]:
    with app.app_context():

        def persons(iid: int) -> list[int]:
            item = db.session.scalars(
                select(Interaction)
                .where(Interaction.id == iid)
                .options(selectinload(Interaction.persons))
                .execution_options(populate_existing=True)
            ).one()
            return sorted(p.id for p in item.persons)

        return {
            "persons": sorted(db.session.scalars(select(Person.id)).all()),
            "keep": (lambda p: (p.first_name, p.email, p.notes))(
                db.session.get_one(Person, ids["keep"])
            ),
            "affiliations": sorted(
                (a.id, a.person_id, a.function, a.since)
                for a in db.session.scalars(select(Affiliation))
            ),
            "roles": sorted(
                (r.id, r.person_id) for r in db.session.scalars(select(InitiativeRole))
            ),
            "consents": sorted((c.id, c.person_id) for c in db.session.scalars(select(Consent))),
            "registrations": sorted(
                (r.id, r.person_id, r.event_id, r.status.value, r.token_hash)
                for r in db.session.scalars(select(Registration))
            ),
            "preferences": sorted(
                (p.registration_id, p.workshop_id)
                for p in db.session.scalars(select(WorkshopPreference))
            ),
            "interactions": (persons(ids["interaction"]), persons(ids["solo"])),
        }


def test_merge_persons_resolves_conflicts_keeps_links_and_undo_restores_all(app, make):
    ids = _person_world(app, make)
    before = _person_state(app, ids)

    merge_id = _merge(app, "person", ids["keep"], ids["other"], first_name="other")
    after = _person_state(app, ids)
    keep = ids["keep"]
    assert after["persons"] == [keep]
    assert after["keep"][0] == "Juergen"
    # affiliation twins: one row, the wider period, the function filled in
    assert (ids["aff_keep"], keep, "Leitung", dt.date(2019, 1, 1)) in after["affiliations"]
    assert all(a[0] != ids["aff_twin"] for a in after["affiliations"])
    assert (ids["aff_moved"], keep) in [(a[0], a[1]) for a in after["affiliations"]]
    assert after["roles"] == [(ids["role_keep"], keep)]
    assert after["consents"] == [(ids["consent"], keep)]
    regs = {r[0]: r for r in after["registrations"]}
    assert ids["reg_keep"] not in regs  # cancelled one gave way to the attended one
    assert regs[ids["reg_other"]][1] == keep and regs[ids["reg_moved"]][1] == keep
    assert after["interactions"] == ([keep], [keep])

    _undo(app, merge_id)
    assert _person_state(app, ids) == before
    with app.app_context():
        assert db.session.get_one(RecordMerge, merge_id).undone_at is not None
        with pytest.raises(services.MergeError):
            services.undo(db.session.get_one(RecordMerge, merge_id))


def test_undo_is_refused_when_the_kept_record_changed_since(app, make):
    merge_id = _merged_then_changed(app, make, "Gamma Holz", legal_name="Neu")
    with app.app_context(), writing():
        with pytest.raises(services.MergeError, match="Seit der Zusammenführung"):
            services.undo(db.session.get_one(RecordMerge, merge_id))
        db.session.rollback()
    assert count_rows(app, Organisation) == 1


def test_undo_page_asks_first_then_brings_the_record_back(app, client, make, login_as):
    keep = make.organisation(name="Delta Glas GmbH", website="delta.example.org")
    other = make.organisation(name="Delta Glas")
    merge_id = _merge(app, "organisation", keep.id, other.id)
    login_as("staff")
    page = client.get(f"/duplicates/merges/{merge_id}/undo").get_data(as_text=True)
    assert "Zusammenführung wirklich rückgängig machen?" in page
    assert count_rows(app, Organisation) == 1
    response = client.post(f"/duplicates/merges/{merge_id}/undo")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get_one(Organisation, other.id).name == "Delta Glas"
        assert db.session.get_one(Organisation, keep.id).other_names is None
    assert client.get("/duplicates/merges/999999/undo").status_code == 404


# -- "Meinten Sie …?" ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "existing"),
    [
        ("/organisations/new", {"name": "Mueller Maschinenbau", "type": "unternehmen"}, "org"),
        (
            "/persons/new",
            {"first_name": "Juergen", "last_name": "Weiss", "preferred_language": "de"},
            "person",
        ),
        (
            "/initiatives/new",
            {"name": "Zukunft durch Industrie", "type": "verein", "status": "aktiv"},
            "initiative",
        ),
    ],
)
def test_creating_a_close_name_asks_meinten_sie_first(
    app, client, make, login_as, path, data, existing
):
    if existing == "org":
        record = make.organisation(name="Müller Maschinenbau GmbH")
        model: Any = Organisation
    elif existing == "initiative":
        record = make.initiative(name="Zukunft durch Industrie e.V.")
        model = Initiative
    else:
        record = make.person(first_name="Jürgen", last_name="Weiß")
        model = Person
    login_as("staff")
    count = count_rows(app, model)
    first = client.post(path, data=data)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "Meinten Sie" in html
    assert f'data-similar="{record.id}"' in html and "Trotzdem anlegen" in html
    assert count_rows(app, model) == count
    token = html.split('name="confirm_similar" type="hidden" value="')[1].split('"')[0]
    anyway = client.post(path, data=data | {"confirm_similar": token})
    assert anyway.status_code == 302
    assert count_rows(app, model) == count + 1


def test_a_new_name_without_neighbours_is_saved_at_once(app, client, make, login_as):
    make.organisation(name="Müller Maschinenbau GmbH")
    login_as("staff")
    response = client.post(
        "/organisations/new", data={"name": "Stadtwerke Ulm", "type": "unternehmen"}
    )
    assert response.status_code == 302


# -- the command line --------------------------------------------------------------------------


def test_cli_find_duplicates_json_and_merge(app, make):
    a = make.organisation(name="Epsilon Stahl GmbH", plz="44135")
    b = make.organisation(name="Epsilon Stahl", plz="44135")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["find-duplicates", "organisations", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pairs"][0]["a"] == a.id and data["pairs"][0]["b"] == b.id
    assert "same_name" in data["pairs"][0]["reasons"] and data["pairs"][0]["score"] > 80
    assert runner.invoke(args=["find-duplicates", "initiatives"]).exit_code == 2
    refused = runner.invoke(args=["merge", "organisations", str(a.id), str(b.id)], input="n\n")
    assert refused.exit_code == 0 and count_rows(app, Organisation) == 2
    bad = runner.invoke(
        args=["merge", "organisations", str(a.id), str(b.id), "--yes", "--field", "nope=other"]
    )
    assert bad.exit_code == 1 and count_rows(app, Organisation) == 2
    done = runner.invoke(
        args=["merge", "organisations", str(a.id), str(b.id), "--yes", "--field", "name=other"]
    )
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert db.session.get_one(Organisation, a.id).name == "Epsilon Stahl"
        assert db.session.get(Organisation, b.id) is None


def test_merge_moves_suggestion_decisions_and_undo_restores_them(app, make):
    ini = make.initiative()
    keep = make.organisation(name="Zeta Papier GmbH")
    other = make.organisation(name="Zeta Papier")
    third = make.organisation(name="Dritte Papier AG")
    with app.app_context(), writing():
        rows = [
            SuggestionFeedback(
                source_type="organisation",
                source_id=source_id,
                target_type=target_type,
                target_id=target_id,
                decision=decision,
            )
            for source_id, target_type, target_id, decision in (
                (other.id, "initiative", ini.id, SuggestionDecision.DISMISSED),
                (keep.id, "organisation", other.id, SuggestionDecision.DISMISSED),
                (other.id, "organisation", third.id, SuggestionDecision.LATER),
            )
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = [r.id for r in rows]

    def state() -> list[tuple[Any, ...]]:
        with app.app_context():
            return sorted(
                (r.id, r.source_id, r.target_type, r.target_id)
                for r in db.session.scalars(select(SuggestionFeedback))
            )

    before = state()
    merge_id = _merge(app, "organisation", keep.id, other.id)
    assert state() == [
        (ids[0], keep.id, "initiative", ini.id),
        (ids[2], keep.id, "organisation", third.id),
    ]
    _undo(app, merge_id)
    assert state() == before


def test_pairs_are_computed_again_after_a_change(app, make):
    make.organisation(name="Omega Textil GmbH")
    make.organisation(name="Omega Textil")
    with app.app_context():
        assert len(queries.find_pairs("organisation")) == 1
    make.organisation(name="Omega Textil AG")
    with app.app_context():
        assert len(queries.find_pairs("organisation")) == 3


def test_undo_page_says_why_it_cannot_undo_and_offers_no_button(app, client, make, login_as):
    merge_id = _merged_then_changed(app, make, "Theta Glas", website="neu.example.org")
    login_as("staff")
    page = client.get(f"/duplicates/merges/{merge_id}/undo").get_data(as_text=True)
    assert "Seit der Zusammenführung wurde Organisation geändert" in page
    assert 'type="submit">Rückgängig machen' not in page
    response = client.post(f"/duplicates/merges/{merge_id}/undo")
    assert response.status_code == 302
    assert count_rows(app, Organisation) == 1
    with app.app_context():
        assert db.session.get_one(RecordMerge, merge_id).undone_at is None

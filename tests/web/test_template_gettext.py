"""The templates' gettext functions (`crm.web.templating`) and `current_translations()`.

They replace Flask-Babel's for speed, so they must behave exactly like Jinja's "newstyle"
gettext (autoescaped, %-formatted, `num` and `context` preset) and follow every change of
the locale within a request (`force_locale`, as mails in the recipient's language use it).
"""

from __future__ import annotations

from flask import Flask
from flask import render_template_string
from flask_babel import force_locale
from flask_babel import refresh

from crm.models.enums import AuditAction
from crm.web.i18n import current_translations
from crm.web.labels import label


def test_a_forced_locale_is_followed_and_left_again(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string("{{ _('Abmelden') }}") == "Abmelden"
        assert label(AuditAction.DELETE) == "gelöscht"
        with force_locale("en"):
            assert render_template_string("{{ _('Abmelden') }}") == "Log out"
            assert render_template_string("{{ gettext('Abmelden') }}") == "Log out"
            assert label(AuditAction.DELETE) == "deleted"
        assert render_template_string("{{ _('Abmelden') }}") == "Abmelden"
        assert label(AuditAction.DELETE) == "gelöscht"


def test_a_refreshed_locale_is_followed(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert current_translations().ugettext("Abmelden") == "Log out"
        with app.test_request_context("/", headers={"Accept-Language": "de"}):
            refresh()
            assert current_translations().ugettext("Abmelden") == "Abmelden"


def test_outside_a_request_the_default_language_is_used(app: Flask) -> None:
    with app.app_context():
        assert render_template_string("{{ _('Abmelden') }}") == "Abmelden"


def test_newstyle_semantics_are_kept(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        # Autoescaped: the message is markup, its arguments are escaped.
        assert render_template_string("{{ _('Abmelden') ~ '<' }}") == "Log out&lt;"
        assert render_template_string("{{ _('x %(v)s', v='<b>') }}") == "x &lt;b&gt;"
        # Plurals preset `num`; the number picks the form.
        plural = "{{ ngettext('%(num)d Initiative gefunden', '%(num)d Initiativen gefunden', n) }}"
        assert render_template_string(plural, n=1) == "1 initiative found"
        assert render_template_string(plural, n=3) == "3 initiatives found"
        # Context: the translation of that context.
        assert (
            render_template_string(
                "{{ pgettext('Anschrift, neutral', '%(title)s%(first)s %(last)s', "
                "title='', first='Ada', last='<L>') }}"
            )
            == "Ada &lt;L&gt;"
        )
        # {% trans %} blocks go through the same functions.
        assert render_template_string("{% trans %}Abmelden{% endtrans %}") == "Log out"
        assert (
            render_template_string(
                "{% trans count=n %}{{ count }} Initiative gefunden"
                "{% pluralize %}{{ count }} Initiativen gefunden{% endtrans %}",
                n=2,
            )
            == "2 Initiativen gefunden"  # not in the catalogue with `count`: the source
        )

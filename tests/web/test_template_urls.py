"""Templates' `url_for` keeps the URLs of endpoints without parameters and of static files
(`crm.web.templating`): they must still follow the script root of each request."""

from __future__ import annotations

from flask import Flask
from flask import render_template_string
from flask import url_for

PAGE = "{{ url_for('main.index') }} {{ url_for('static', filename='css/app.css') }}"


def test_kept_urls_follow_the_script_root(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string(PAGE) == "/ /static/css/app.css"
    with app.test_request_context("/", base_url="http://localhost/crm/"):
        assert render_template_string(PAGE) == "/crm/ /crm/static/css/app.css"
    with app.test_request_context("/"):
        assert render_template_string(PAGE) == "/ /static/css/app.css"


def test_urls_with_parameters_are_built_each_time(app: Flask) -> None:
    template = "{{ url_for('directory.person_detail', person_id=n) }}"
    with app.test_request_context("/"):
        assert render_template_string(template, n=3) == url_for(
            "directory.person_detail", person_id=3
        )
        assert render_template_string(template, n=4).endswith("/4")
        anchored = "{{ url_for('main.index', _anchor='x') }}"
        assert render_template_string(anchored) == "/#x"


def test_outside_a_request_flask_builds_the_url(app: Flask) -> None:
    app.config["SERVER_NAME"] = "crm.example.org"
    try:
        with app.app_context():
            # Flask's own: outside a request, a full URL from SERVER_NAME
            url = render_template_string("{{ url_for('main.index') }}")
            assert url == "http://crm.example.org/"
    finally:
        app.config["SERVER_NAME"] = None

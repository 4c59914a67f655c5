"""Property-based probe: no request of any role answers 500; a rejected post changes nothing.

The requests are derived from the application, not listed by hand:
- every GET route of `app.url_map`, with real ids and with odd path values (huge,
  negative, zero, non-ASCII, very long, random text);
- every form that the GET pages render (parsed from their HTML: action, method, the
  names of input/select/textarea/button), plus a bare post to every POST route, sent with
  fields blank, whitespace, very long, of the wrong type, in invalid UTF-8, missing or
  repeated;
- as each role: anonymous, editor (bound to an initiative), staff and admin.

Every 500 is collected (with the request that caused it) and reported at the end, so one
run shows all of them. A post that is rejected (4xx, a redirect to the login, or the form
shown again with errors) must leave every table as it was.

Bounded and replayable: FUZZ_EXAMPLES (default 200) examples per part, seed FUZZ_SEED
(default 21, "random" for a fresh one); the seed is printed.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import seed
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import text

from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Base
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Membership
from tests.conftest import REFERENCE_TABLES
from tests.conftest import TEST_PASSWORD

_seed_env = os.environ.get("FUZZ_SEED", "21")
SEED = random.SystemRandom().randrange(2**32) if _seed_env == "random" else int(_seed_env)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
ROLES = ("anonymous", "editor", "staff", "admin")

# Posts that end the fuzzing client's own session or account; their 500-freedom is covered
# by their own tests, and here they would turn a role into another one half-way.
NO_POST = {"accounts.logout", "admin.deactivate", "accounts.password"}

# Odd values: huge, negative, zero, non-ASCII, very long, wrong types, markup, control chars.
ODD_VALUES = [
    "",
    " ",
    "\t\r\n ",
    "\u00a0",
    "0",
    "-1",
    "-9223372036854775809",
    "9223372036854775808",
    "2147483648",
    "1" * 40,
    "1e400",
    "NaN",
    "-0",
    "0x1F",
    "3.5",
    "abc",
    "Müller-Lüdenscheidt GmbH & Co. KG",
    "日本語",
    "😀",
    "\u202e\u200b",
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # an Arabic-Indic three: int() takes it
    "\x00",
    "\x01\x7f",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%",
    "%FF",
    "2027-02-30",
    "2027-13-01T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "31.12.2027",
    "true",
    "on",
    "y",
    "[]",
    "{}",
    "x" * 5000,
    "ä" * 3000,
    "a" * 100_000,
]

odd_text = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers().map(str),
)
odd_path_value = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "9223372036854775808",
            "2147483648",
            "99999999999999999999999",
            "9" * 5000,
            "ä",
            "日本",
            "%FF",
            "x" * 3000,
            "1.5",
            " ",
            "..",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), min_size=1, max_size=30
    ),
)


# --------------------------------------------------------------------------- forms in HTML


@dataclass
class Control:
    """One named control of a form with the value the page gave it."""

    name: str
    kind: str  # input type, "select", "select-multiple", "textarea", "button"
    value: str
    options: list[str] = field(default_factory=list)
    on: bool = True  # a checkbox/radio that is checked, a submit button never


@dataclass
class HtmlForm:
    """A form as the page renders it."""

    action: str
    method: str
    controls: list[Control]
    page: str = ""  # where the form was found

    def baseline(self) -> list[tuple[str, str]]:
        """What a browser would send when the form is submitted unchanged."""
        return [(c.name, c.value) for c in self.controls if c.on and c.kind != "button"]

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Identity of the form for deduplication (action path without ids, names)."""
        return (
            self.method,
            re.sub(r"\d+", "N", urlsplit(self.action).path),
            tuple(sorted(c.name for c in self.controls)),
        )


class FormParser(HTMLParser):
    """Collect the forms of a page with their named controls."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open forms and controls."""
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(
                action=a.get("action") or self.page_url,
                method=(a.get("method") or "get").upper(),
                controls=[],
                page=self.page_url,
            )
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            first = self._select.kind == "select" and len(self._select.options) == 1
            if "selected" in a or first:
                self._select.value = value
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self._form.controls.append(
                    Control(name, kind, a.get("value", "on"), on="checked" in a)
                )
            elif kind in ("submit", "image", "reset", "button"):
                self._form.controls.append(Control(name, "button", a.get("value", ""), on=False))
            else:
                self._form.controls.append(Control(name, kind, a.get("value", "")))
        elif tag == "button":
            self._form.controls.append(Control(name, "button", a.get("value", ""), on=False))
        elif tag == "select":
            multiple = "multiple" in a
            self._select = Control(name, "select-multiple" if multiple else "select", "")
            self._form.controls.append(self._select)
        elif tag == "textarea":
            self._textarea = Control(name, "textarea", "")
            self._form.controls.append(self._textarea)

    def handle_data(self, data: str) -> None:
        """Textarea content."""
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        """Close forms and controls."""
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:
                # As browsers do: one line break right after <textarea> is not content.
                value = self._textarea.value
                self._textarea.value = (
                    value[2:]
                    if value.startswith("\r\n")
                    else (value[1:] if value.startswith("\n") else value)
                )
            self._textarea = None


def parse_forms(page_url: str, html: str) -> list[HtmlForm]:
    """The forms of `html`, their actions made absolute paths."""
    parser = FormParser(page_url)
    parser.feed(html)
    forms = []
    for form in parser.forms:
        parts = urlsplit(form.action)
        if parts.netloc or parts.scheme or not parts.path.startswith("/"):
            continue  # only this site's forms
        forms.append(form)
    return forms


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """Demo records, one logged-in client per role, and the requests derived from the app."""

    app: Flask
    clients: dict[str, FlaskClient]
    ids: dict[str, list[int]]
    editor_initiative: int
    get_rules: list[Any] = field(default_factory=list)
    forms: list[tuple[str, HtmlForm]] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    classes: Counter[str] = field(default_factory=Counter)
    # The tables as the last checked post left them; None once anything else was sent.
    last_snapshot: dict[str, list[str]] | None = None


ID_TABLES = {
    "event_id": "events",
    "block_id": "agenda_blocks",
    "item_id": "workshops",
    "workshop_id": "workshops",
    "registration_id": "registrations",
    "initiative_id": "initiatives",
    "organisation_id": "organisations",
    "person_id": "persons",
    "membership_id": "memberships",
    "affiliation_id": "affiliations",
    "role_id": "initiative_roles",
    "relationship_id": "relationships",
    "interaction_id": "interactions",
    "entry_id": "audit_entries",
    "user_id": "users",
    "record_id": "persons",
    "source_id": "initiatives",
    "target_id": "initiatives",
}
TEXT_ARGS = {
    "kind": ["person", "organisation", "initiative"],
    "kinds": ["organisations", "persons"],  # the duplicates pages
    "fmt": ["csv", "xlsx", "json", "ics", "pdf"],
    "slug": ["netzwerktreffen"],
    "plz": ["10117", "01067"],
    "source_type": ["initiative", "organisation"],
    "target_type": ["initiative", "organisation"],
    "action": ["attended", "no_show", "cancelled", "registered"],
    "token": ["kein-gueltiges-token"],
    "filename": ["css/app.css"],
}


def build_world(app: Flask, make: Any) -> World:
    """Seed the demo, log in one client per role."""
    with app.app_context(), writing():
        seed_demo(size="small", seed=7)
        db.session.commit()
        ids = {
            arg: list(db.session.scalars(text(f"SELECT id FROM {table} ORDER BY id LIMIT 5")))  # noqa: S608
            for arg, table in ID_TABLES.items()
        }
        editor_initiative = db.session.scalars(
            text(
                "SELECT initiative_id FROM memberships GROUP BY initiative_id "
                "ORDER BY count(*) DESC, initiative_id LIMIT 1"
            )
        ).one()
        # The editor's own members and contacts first, so portal pages show their forms.
        for arg, model in (("membership_id", Membership), ("role_id", InitiativeRole)):
            own = list(
                db.session.scalars(
                    db.select(model.id).where(model.initiative_id == editor_initiative).limit(3)
                )
            )
            ids[arg] = own + [i for i in ids[arg] if i not in own]
        assert db.session.get(Initiative, editor_initiative) is not None
    clients = {"anonymous": app.test_client()}
    for role in ("editor", "staff", "admin"):
        user = make.user(
            role=role,
            initiative_id=editor_initiative if role == "editor" else None,
            password=TEST_PASSWORD,
        )
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, role
        clients[role] = client
    world = World(app, clients, ids, editor_initiative)
    world.get_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and rule.endpoint != "static"
    ]
    return world


def sample_args(world: World, rule: Any, pick: int = 0) -> dict[str, Any]:
    """Real values for the rule's arguments (the `pick`-th candidate where there are several)."""
    args: dict[str, Any] = {}
    for name in rule.arguments:
        values = (world.ids[name] or [1]) if name in ID_TABLES else TEXT_ARGS.get(name, ["x"])
        args[name] = values[pick % len(values)]
    return args


def build_path(rule: Any, args: dict[str, Any]) -> str:
    """The path of `rule` with `args` put in as they are (odd values included)."""
    path = rule.rule
    for name, value in args.items():
        quoted = quote(str(value), safe="%:@!$&'()*+,;=-._~")
        placeholder = re.search(rf"<(?:[a-z]+:)?{name}>", path)
        if placeholder:
            path = path[: placeholder.start()] + quoted + path[placeholder.end() :]
    return path


# --------------------------------------------------------------------------- requests


def snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every table but the reference ones, in a stable order (on PostgreSQL a
    digest per table, in one round trip)."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            digest = "md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
            sql = " UNION ALL ".join(
                f"SELECT '{name}', {digest} FROM \"{name}\" x"  # noqa: S608 - metadata names
                for name in tables
            )
            return {name: [digest] for name, digest in conn.execute(text(sql))}
        return {
            name: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')))  # noqa: S608
            for name in tables
        }


def differences(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """Which tables differ, with a glimpse of the rows."""
    found = []
    for name, rows in before.items():
        if rows != after[name]:
            gone = sorted(set(rows) - set(after[name]))[:2]
            came = sorted(set(after[name]) - set(rows))[:2]
            found.append(f"{name}: -{gone} +{came}")
    return found


def send(world: World, role: str, method: str, path: str, **kw: Any) -> Any:
    """One request; a server error (an exception out of the app) is recorded, not raised."""
    client = world.clients[role]
    world.last_snapshot = None
    try:
        return client.open(path, method=method, **kw)
    except Exception as exc:  # noqa: BLE001 - every server error is a finding
        where = ""
        tb = exc.__traceback__
        while tb is not None:
            if "/crm/" in tb.tb_frame.f_code.co_filename:
                where = f"{tb.tb_frame.f_code.co_filename.split('/crm/')[-1]}:{tb.tb_lineno}"
            tb = tb.tb_next
        pattern = re.sub(r"/[^/?]*\d[^/?]*", "/N", path.split("?")[0])[:80]
        key = f"{method} {pattern} -> {type(exc).__name__} at crm/{where}"
        if key not in world.failures:
            body = kw.get("data")
            world.failures[key] = (
                f"as {role}: {method} {path[:200]} data={str(body)[:300]} -> "
                f"{type(exc).__name__}: {str(exc)[:200]}"
            )
        return None


def is_rejected(response: Any) -> bool:
    """4xx, a redirect to the login, or the form shown again with errors."""
    if response is None:
        return False
    if 400 <= response.status_code < 500:
        return True
    if response.status_code in (301, 302, 303):
        return urlsplit(response.headers.get("Location", "")).path == "/login"
    if response.status_code == 200 and response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        return "is-invalid" in html or 'class="invalid-feedback' in html
    return False


# --------------------------------------------------------------------------- discovery


def discover_forms(world: World) -> None:
    """GET every route as every role with real arguments and collect the forms shown."""
    seen: set[tuple[str, tuple[str, str, tuple[str, ...]]]] = set()
    for role in ROLES:
        for rule in world.get_rules:
            path = build_path(rule, sample_args(world, rule))
            response = send(world, role, "GET", path)
            world.classes["GET real arguments"] += 1
            if response is None or response.status_code != 200:
                continue
            if response.mimetype != "text/html":
                continue
            for form in parse_forms(path, response.get_data(as_text=True)):
                if (role, form.key()) in seen:
                    continue
                seen.add((role, form.key()))
                world.forms.append((role, form))
    # A bare form for every POST route (buttons the pages did not show this role, too).
    for rule in world.app.url_map.iter_rules():
        if "POST" in (rule.methods or set()) and rule.endpoint not in NO_POST:
            for role in ROLES:
                path = build_path(rule, sample_args(world, rule))
                world.forms.append((role, HtmlForm(action=path, method="POST", controls=[])))
    world.forms = [
        (role, form) for role, form in world.forms if not _posts_to(world.app, form, NO_POST)
    ]


def _posts_to(app: Flask, form: HtmlForm, endpoints: set[str]) -> bool:
    if form.method != "POST":
        return False
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(form.action).path, method="POST")
    except Exception:  # noqa: BLE001 - an unknown action is simply not excluded
        return False
    return endpoint in endpoints


# --------------------------------------------------------------------------- the test


DESTRUCTIVE = re.compile(
    r"/(delete|end|beenden|deactivate|cancel|release|publish|run|restore|revert|undo)\b"
)


def sweep_forms(forms: list[tuple[str, HtmlForm]]) -> list[tuple[str, HtmlForm]]:
    """Posting forms with fields, each once (admin before staff before editor), safe ones first."""
    rank = {"admin": 0, "staff": 1, "editor": 2, "anonymous": 3}
    chosen: dict[tuple[str, str, tuple[str, ...]], tuple[str, HtmlForm]] = {}
    for role, form in sorted(forms, key=lambda rf: rank[rf[0]]):
        if form.method == "POST" and form.controls:
            chosen.setdefault(form.key(), (role, form))
    return sorted(
        chosen.values(), key=lambda rf: bool(DESTRUCTIVE.search(urlsplit(rf[1].action).path))
    )


def fresh_baseline(world: World, role: str, form: HtmlForm) -> list[tuple[str, str]] | None:
    """The form's values as its page shows them now (after a save raised its version)."""
    response = send(world, role, "GET", form.page)
    if response is None or response.status_code != 200 or response.mimetype != "text/html":
        return None
    for again in parse_forms(form.page, response.get_data(as_text=True)):
        if again.key() == form.key():
            return again.baseline()
    return None


def post_checked(
    world: World,
    role: str,
    form: HtmlForm,
    fields: list[tuple[str, str]],
    invalid_utf8: bool = False,
) -> Any:
    """Post `fields` to the form's action; a rejected post must leave every table as it was."""
    before = world.last_snapshot or snapshot(world.app)
    response = send(
        world,
        role,
        "POST",
        form.action,
        data=encode_body(fields, invalid_utf8),
        content_type="application/x-www-form-urlencoded",
    )
    if not is_rejected(response):
        return response
    world.classes["POST rejected"] += 1
    after = snapshot(world.app)
    changed = differences(before, after)
    if urlsplit(form.action).path in ("/login", "/password/forgot"):
        changed = [c for c in changed if not c.startswith("users:")]  # the failed-login count
    if changed:
        world.changed.append(
            f"{role}: POST {form.action} {str(fields)[:200]} -> "
            f"{response.status_code} changed {changed}"
        )
    world.last_snapshot = after
    return response


FIELD_MUTATIONS = ("odd value", "blank", "whitespace", "very long", "missing", "repeated")
WHOLE_FORM = {"blank": "", "whitespace": " ", "very long": "x" * 5000, "negative": "-1"}


def mutate(data: st.DataObject, form: HtmlForm) -> tuple[list[tuple[str, str]], list[str]]:
    """The form's baseline with one to three fields changed; returns the fields and classes."""
    fields = form.baseline()
    names = sorted({c.name for c in form.controls if c.kind != "button"})
    classes = []
    whole = data.draw(st.sampled_from([None, None, None, *WHOLE_FORM]))
    if whole is not None and names:
        value = WHOLE_FORM[whole]
        return [(name, value) for name in names], [f"every field {whole}"]
    for _ in range(data.draw(st.integers(1, 3)) if names else 0):
        name = data.draw(st.sampled_from(names))
        how = data.draw(st.sampled_from(FIELD_MUTATIONS))
        classes.append(how)
        rest = [(k, v) for k, v in fields if k != name]
        if how == "missing":
            fields = rest
        elif how == "blank":
            fields = [*rest, (name, "")]
        elif how == "whitespace":
            fields = [*rest, (name, data.draw(st.sampled_from([" ", "  ", "\t", "\u00a0", "\n"])))]
        elif how == "very long":
            fields = [*rest, (name, data.draw(st.sampled_from(["9" * 400, "x" * 20_000])))]
        elif how == "repeated":
            fields = [*rest, (name, data.draw(odd_text)), (name, data.draw(odd_text))]
        else:
            fields = [*rest, (name, data.draw(odd_text))]
    if data.draw(st.booleans()) and names:
        extra = data.draw(st.sampled_from(["version", "id", "initiative_id", "role", "csrf_token"]))
        fields.append((extra, data.draw(odd_text)))
        classes.append("unexpected field")
    return fields, classes


def encode_body(fields: list[tuple[str, str]], invalid_utf8: bool) -> bytes:
    """An urlencoded body; with `invalid_utf8`, raw bytes that are not UTF-8 go in too."""
    body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode("ascii")
    if invalid_utf8:
        raw = b"&".join(
            name.encode("utf-8", "surrogatepass") + b"=\xff\xfe%C3%28\xc3" for name, _ in fields
        )
        body = raw or b"x=\xff"
    return body


def run_probe(world: World, part: str, body: Callable[[st.DataObject], None]) -> int:
    """Run `body` for EXAMPLES examples with the printed seed; returns the number run."""
    count = 0

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the database moves on
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(st.data())
    def probe(data: st.DataObject) -> None:
        nonlocal count
        count += 1
        body(data)

    probe()
    print(f"fuzz {part}: {count} examples, seed {SEED}")  # noqa: T201 - replay needs it
    return count


def test_no_input_answers_500_and_rejected_posts_change_nothing(app, make):
    print(f"\nfuzz seed {SEED} (replay: FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES})")  # noqa: T201
    world = build_world(app, make)
    discover_forms(world)
    assert len(world.forms) > 100, len(world.forms)

    # Every form the pages show (once, as the most privileged role that sees it), each
    # field in turn blank and then whitespace while the others keep the page's values.
    # Forms that end or delete something go last, so the others still find their records.
    for role, form in sweep_forms(world.forms):
        baseline = form.baseline()
        for name in sorted({c.name for c in form.controls if c.kind != "button"}):
            for how, value in (("blank", ""), ("whitespace", " \t")):
                rest = [(k, v) for k, v in baseline if k != name]
                response = post_checked(world, role, form, [*rest, (name, value)])
                world.classes[f"POST sweep: one field {how}"] += 1
                if response is not None and response.status_code in (302, 303):
                    baseline = fresh_baseline(world, role, form) or baseline

    def odd_path(data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(ROLES))
        rule = data.draw(st.sampled_from(world.get_rules))
        args = sample_args(world, rule, data.draw(st.integers(0, 4)))
        if rule.arguments:
            for name in data.draw(st.sets(st.sampled_from(sorted(rule.arguments)), min_size=1)):
                args[name] = data.draw(odd_path_value)
            world.classes["GET odd path value"] += 1
        query = data.draw(
            st.lists(
                st.tuples(
                    st.sampled_from(
                        [
                            "page",
                            "q",
                            "sort",
                            "per_page",
                            "status",
                            "kreis",
                            "land",
                            "type",
                            "theme",
                            "alle",
                        ]
                    ),
                    odd_text,
                ),
                max_size=3,
            )
        )
        if query:
            world.classes["GET odd query"] += 1
        path = build_path(rule, args)
        if query:
            path += "?" + urlencode(query, errors="surrogatepass")
        send(world, role, "GET", path)

    def odd_form(data: st.DataObject) -> None:
        shown = [f for f in world.forms if f[1].controls]
        bare = [f for f in world.forms if not f[1].controls]
        role, form = data.draw(
            st.sampled_from(shown) if data.draw(st.integers(0, 4)) else st.sampled_from(bare)
        )
        fields, classes = mutate(data, form)
        invalid_utf8 = data.draw(st.integers(0, 9)) == 0
        if invalid_utf8:
            classes.append("invalid UTF-8")
        for how in classes:
            world.classes[f"{form.method} {how}"] += 1
        if form.method == "GET":
            path = (
                form.action
                + ("&" if "?" in form.action else "?")
                + urlencode(fields, errors="surrogatepass")
            )
            send(world, role, "GET", path)
            return
        post_checked(world, role, form, fields, invalid_utf8)

    gets = run_probe(world, "GET routes", odd_path)
    posts = run_probe(world, "forms", odd_form)

    print(f"fuzz: {len(world.forms)} forms found; {gets} + {posts} examples")  # noqa: T201
    for name, n in sorted(world.classes.items()):
        print(f"  {name}: {n}")  # noqa: T201
    assert not world.failures, "\n".join(f"{k}\n    e.g. {v}" for k, v in world.failures.items())
    assert not world.changed, "\n".join(world.changed)

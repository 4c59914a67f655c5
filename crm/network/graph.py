"""Read side of the interactive network graph: URL parameters → a view of the cached graph.

The selection itself is pure (`crm.graph.graphview`); this module parses the query
string (anything outside the allowed values is ignored), takes the graph from
`crm.network.cache` with its derived data (initiative network, communities, theme
list) computed once per graph version, and turns the view into Cytoscape elements with
their positions (`crm.graph.layout`, kept per view in `crm.network.cache`): the browser
draws them as they are and lays nothing out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import Generic
from typing import TypeVar

import networkx as nx
from flask import current_app
from flask import jsonify
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from crm import permissions
from crm.graph import LAENDER
from crm.graph import Community
from crm.graph import communities
from crm.graph.graphview import DEFAULT_MAX_NODES
from crm.graph.graphview import KINDS
from crm.graph.graphview import GraphView
from crm.graph.graphview import ViewFilters
from crm.graph.graphview import ViewNode
from crm.graph.graphview import community_of
from crm.graph.graphview import initiative_network
from crm.graph.graphview import kinds_of
from crm.graph.graphview import select_view
from crm.graph.layout import view_layout
from crm.network import cache
from crm.network.builder import record_of
from crm.network.naming import GroupName
from crm.network.naming import group_names
from crm.web.templating import url_for_id

#: "kind" colours nodes by initiative/organisation/person, "community" by community.
COLOURS = ("kind", "community")
#: How many nodes the text alternative below the canvas lists.
MAX_SEARCH = 100
_NUMBER = re.compile(r"[0-9]{1,9}")
_FOCUS = re.compile(r"^(initiative|organisation|person):([1-9][0-9]{0,9})$")
_PREFIX_KIND = {"i": "initiative", "o": "organisation", "p": "person"}
#: The graph page's context on a cached graph (part of its snapshot).
CONTEXT = "graphview:context"
_DETAIL = {
    "initiative": ("directory.initiative_detail", "initiative_id"),
    "organisation": ("directory.organisation_detail", "organisation_id"),
    "person": ("directory.person_detail", "person_id"),
}


@dataclass(frozen=True)
class GraphContext:
    """What every view of one graph version needs, computed once and cached."""

    network: nx.Graph
    communities: list[Community]
    names: list[GroupName]
    numbers: dict[Any, int]
    themes: list[tuple[int, str]]
    kinds: dict[Any, str]


@dataclass(frozen=True)
class GraphParams:
    """The parsed query string; `focus` is the raw "initiative:12" value, if well formed."""

    filters: ViewFilters
    colour: str
    focus: str | None
    theme_id: int | None


def _context(graph: nx.Graph) -> GraphContext:
    kinds = kinds_of(graph)
    has_initiatives = "initiative" in kinds.values()
    groups = communities(graph, kind="initiative") if has_initiatives else []
    themes = sorted(
        (
            (record_of(str(node))[1], str(label))
            for node, kind, label in (
                (node, data.get("kind"), data.get("label")) for node, data in graph.nodes(data=True)
            )
            if kind == "theme"
        ),
        key=lambda item: item[1].casefold(),
    )
    return GraphContext(
        network=initiative_network(graph),
        communities=groups,
        names=group_names(graph, groups),
        numbers=community_of(graph, [group.nodes for group in groups]),
        themes=themes,
        kinds=kinds,
    )


cache.share(CONTEXT, _context)


def _int(value: str | None) -> int | None:
    """A small positive number written in ASCII digits, else None."""
    if value is None or not _NUMBER.fullmatch(value.strip()):
        return None
    return int(value.strip())


def parse_params(args: Any, context: GraphContext) -> GraphParams:
    """Read the filters from a request's query string; values outside the allowed sets drop out.

    `args` is a MultiDict (`kind` may repeat). Land: an AGS code of a Land; theme: the id
    of a theme in the graph; community: a community number; focus:
    "initiative:<id>", "organisation:<id>" or "person:<id>"; depth: 1 or 2; q: search text.
    """
    land = args.get("land") or None
    if land not in LAENDER:
        land = None
    theme_id = _int(args.get("theme"))
    theme_names = dict(context.themes)
    if theme_id not in theme_names:
        theme_id = None
    community = _int(args.get("community"))
    if community is not None and not 1 <= community <= len(context.communities):
        community = None
    kinds = frozenset(kind for kind in args.getlist("kind") if kind in KINDS)
    focus_text = (args.get("focus") or "").strip()
    match = _FOCUS.match(focus_text)
    focus = f"{match.group(1)[0]}:{int(match.group(2))}" if match else None
    depth = 2 if args.get("depth") == "2" else 1
    search = " ".join((args.get("q") or "").split())[:MAX_SEARCH]
    colour = args.get("colour") if args.get("colour") in COLOURS else COLOURS[0]
    return GraphParams(
        filters=ViewFilters(
            kinds=kinds,
            land=land,
            theme=theme_names[theme_id] if theme_id is not None else None,
            community=community,
            focus=focus,
            depth=depth,
            search=search,
        ),
        colour=str(colour),
        focus=focus_text if match else None,
        theme_id=theme_id,
    )


@dataclass(frozen=True)
class GraphPage:
    """Everything the graph page and its JSON need."""

    params: GraphParams
    view: GraphView
    context: GraphContext
    #: The focus was asked for but is no node of the graph (the page answers 404).
    missing_focus: bool
    #: The cached graph the view was cut from (None: no positions kept for it).
    entry: cache.CachedGraph | None = None
    max_nodes: int = DEFAULT_MAX_NODES


#: The views the graph page showed of one graph version, kept on its cache entry (`PageViews`).
PAGE_VIEWS = "graphview:page-views"
#: The parts of the graph page rendered for those views, kept on its cache entry (`PageHtml`).
PAGE_HTML = "graphview:page-html"


def graph_page(user: Any, args: Any) -> GraphPage:
    """The view of the cached graph `user` may see, for the query string `args`.

    The view is cut once per graph version and filters (`PAGE_VIEWS`): cutting a
    600-node neighbourhood costs some 10 ms at scale, and the page is asked again and
    again for the same view (a reload, the next colleague). Like graph.json's answers
    (`Bodies`), the views go with their cache entry, whose key holds the data version,
    the day and the viewer's scope: a save or another scope finds another entry."""
    entry, context, params = _asked(user, args)
    max_nodes = _max_nodes()
    views: PageViews = entry.derived(PAGE_VIEWS, lambda _graph: PageViews())
    key = (params.filters, max_nodes)
    view = views.get(key)
    if view is None:
        view = _cut(entry, context, params, max_nodes).view
        views.put(key, view)
    return _page(entry, context, params, max_nodes, view)


def page_html(
    page: GraphPage, name: str, render: Callable[[], str], asked: Hashable = None
) -> Markup:
    """The HTML of `render()` for the part `name` of the graph page, rendered once per
    graph version, view, language and URL root (`PAGE_HTML`), and per `asked` for a part
    that shows more of the request than the view (e.g. the query string): what the page
    shows of the view is the same for everyone who sees this graph."""
    if page.entry is None:
        return Markup(render())  # noqa: S704 - rendered by an autoescaping template
    parts: PageHtml = page.entry.derived(PAGE_HTML, lambda _graph: PageHtml())
    key = (name, page.params.filters, page.max_nodes, asked, *_where_rendered())
    html = parts.get(key)
    if html is None:
        html = Markup(render())  # noqa: S704 - rendered by an autoescaping template
        parts.put(key, html)
    return html


def _asked(user: Any, args: Any) -> tuple[cache.CachedGraph, GraphContext, GraphParams]:
    """The cached graph `user` may see, its context, and what the query string `args`
    asks of it."""
    entry = cache.get(permissions.graph_scope(user))
    context = entry.derived(CONTEXT, _context)
    return entry, context, parse_params(args, context)


def _max_nodes() -> int:
    return max(int(current_app.config.get("NETWORK_GRAPH_MAX_NODES", DEFAULT_MAX_NODES)), 1)


def _cut(
    entry: cache.CachedGraph, context: GraphContext, params: GraphParams, max_nodes: int
) -> GraphPage:
    """The view that `params` ask for, cut out of the graph of `entry`."""
    view = select_view(
        entry.graph,
        params.filters,
        network=context.network,
        numbers=context.numbers,
        kinds=context.kinds,
        max_nodes=max_nodes,
    )
    return _page(entry, context, params, max_nodes, view)


def _page(
    entry: cache.CachedGraph,
    context: GraphContext,
    params: GraphParams,
    max_nodes: int,
    view: GraphView,
) -> GraphPage:
    """The graph page of `view`, cut out of the graph of `entry` for `params`."""
    missing = params.filters.focus is not None and view.focus is None
    return GraphPage(
        params=params,
        view=view,
        context=context,
        missing_focus=missing,
        entry=entry,
        max_nodes=max_nodes,
    )


def computed_at(page: GraphPage) -> dt.datetime | None:
    """When the shown graph was computed, if it is older than the data (the worker computes
    the current one); None when it is current."""
    entry = page.entry
    return entry.built_at if entry is not None and cache.is_stale(entry) else None


def positions(page: GraphPage) -> Mapping[Any, tuple[float, float]]:
    """{node: (x, y)} of every shown node, computed on the server once per view and data
    version. After a change the nodes of the view's last picture keep their places and only
    new nodes are placed. A search does not change the picture: the view without the
    search text is the same picture (a hit pinned by the cap is placed into it)."""
    view = page.view
    if page.entry is None:
        return view_layout(view)
    picture = (replace(page.params.filters, search=""), page.max_nodes)
    return cache.positions(
        page.entry,
        picture,
        [node.id for node in view.nodes],
        lambda previous: view_layout(view, previous=previous),
    )


def kind_of(node: Any) -> str:
    """The record kind of a graph node id: "i:12" → "initiative"."""
    return _PREFIX_KIND.get(str(node).partition(":")[0], "")


def record_urls() -> Callable[[Any], str | None]:
    """The page of the record behind a node, if the app has one (None: no link). Each
    kind's URL is built once (`url_for_id`) and then filled in per node: `url_for` for
    each of 600 nodes would cost a third of the graph's answer."""
    builders: dict[str, Callable[[int], str]] = {}
    for kind, (endpoint, argument) in _DETAIL.items():
        if endpoint in current_app.view_functions:
            try:
                builders[kind] = url_for_id(endpoint, argument)
            except BuildError:
                continue

    def url(node: Any) -> str | None:
        build = builders.get(kind_of(node))
        if build is None:
            return None
        try:
            record_id = record_of(str(node))[1]
        except ValueError:
            return None
        return build(record_id)

    return url


def focus_param(node: Any) -> str:
    """The `focus` query value of a node: "i:12" → "initiative:12"."""
    return f"{kind_of(node)}:{record_of(str(node))[1]}"


def notice(view: GraphView) -> str | None:
    """The German notice about nodes left out, if any."""
    if not view.hidden:
        return None
    return _("%(n)s weitere ausgeblendet – Filter verwenden", n=view.hidden)


@dataclass(frozen=True)
class TableLink:
    """A connection of a node in the table: the other shown node, the kind of the edge and
    its weight (how many members and persons two initiatives share)."""

    label: str
    kind: str
    weight: float


@dataclass(frozen=True)
class TableRow:
    """One row of the graph's table: a shown node and its connections among the shown."""

    node: ViewNode
    links: list[TableLink]


def table_rows(view: GraphView) -> list[TableRow]:
    """The text alternative of the drawing: every shown node (most connected first) with
    the shown nodes it is linked to (by name) — the same nodes and edges as the canvas."""
    by_id = {node.id: node for node in view.nodes}
    links: dict[Any, list[TableLink]] = {node.id: [] for node in view.nodes}
    for edge in view.edges:
        source, target = by_id.get(edge.source), by_id.get(edge.target)
        if source is None or target is None:
            continue
        links[source.id].append(TableLink(target.label, edge.kind, edge.weight))
        links[target.id].append(TableLink(source.label, edge.kind, edge.weight))
    ranked = sorted(view.nodes, key=lambda n: (-n.degree, n.label.casefold(), str(n.id)))
    return [
        TableRow(node, sorted(links[node.id], key=lambda link: link.label.casefold()))
        for node in ranked
    ]


def community_labels(context: GraphContext) -> dict[int, str]:
    """{community number: its name (distinctive themes, Land, largest initiative)}."""
    return {name.number: name.title for name in context.names}


def elements(page: GraphPage) -> dict[str, Any]:
    """The view as Cytoscape elements plus what the page needs to know about it."""
    view = page.view
    labels = community_labels(page.context)
    placed = positions(page)
    record_url = record_urls()
    nodes = [
        {
            "position": {
                "x": round(placed[node.id][0], 1),
                "y": round(placed[node.id][1], 1),
            },
            "data": {
                "id": str(node.id),
                "label": node.label,
                "kind": node.kind,
                "degree": node.degree,
                "community": node.community,
                "communityLabel": labels.get(node.community) if node.community else None,
                "distance": node.distance,
                "url": record_url(node.id),
                "focus": focus_param(node.id),
            },
        }
        for node in view.nodes
    ]
    edges = [
        {
            "data": {
                "id": f"{edge.source}|{edge.target}",
                "source": str(edge.source),
                "target": str(edge.target),
                "kind": edge.kind,
                "weight": edge.weight,
            }
        }
        for edge in view.edges
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "meta": {
            "shown": len(view.nodes),
            "edges": len(view.edges),
            "matched": view.matched,
            "hidden": view.hidden,
            "notice": notice(view),
            "aggregated": view.aggregated,
            "kinds": list(view.kinds),
            "focus": str(view.focus) if view.focus is not None else None,
            "selected": str(view.selected) if view.selected is not None else None,
            "search": page.params.filters.search,
            "colour": page.params.colour,
        },
    }


#: The finished graph.json answers of one graph version, kept on its cache entry (`Bodies`).
BODIES = "graphview:bodies"


@dataclass(frozen=True)
class Body:
    """A finished graph.json answer: its bytes, their ETag and content type."""

    data: bytes
    etag: str
    mimetype: str = "application/json"


V = TypeVar("V")


class Kept(Generic[V]):
    """Values kept on a graph's cache entry, by key, the least recently used going first
    beyond `max_count` values or `max_bytes` (as `size` counts them)."""

    max_count = 32
    max_bytes = 4_000_000

    def __init__(self) -> None:
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def size(self, value: V) -> int:
        """What `value` counts against `max_bytes` (nothing: only the count bounds)."""
        return 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self._size -= self.size(old)
            self._values[key] = value
            self._size += self.size(value)
            while len(self._values) > 1 and (
                len(self._values) > self.max_count or self._size > self.max_bytes
            ):
                _key, dropped = self._values.popitem(last=False)
                self._size -= self.size(dropped)

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


class PageViews(Kept[GraphView]):
    """Views cut for the graph page (a 600-node view holds some hundred kB of nodes and
    edges), bounded by their number."""

    max_count = 16


class PageHtml(Kept[Markup]):
    """Rendered parts of the graph page (a 600-node table is some 300 kB), bounded by size."""

    def size(self, value: Markup) -> int:
        return len(value)


class Bodies(Kept[Body]):
    """The finished graph.json answers of one graph version, by what decides their bytes.

    Why: cutting a 600-node neighbourhood out of the graph, placing it and writing it as
    JSON costs 15-40 ms at scale; asked again (the page, a reload, the next colleague),
    the same view costs a look-up. Never stale and never another viewer's: the bodies are
    kept on the graph's cache entry (`cache.CachedGraph.derived`), whose key holds the
    data version, the day and the scope (which persons the viewer may see), so that a save
    or another scope finds another entry; they go with their entry (`cache.clear()` too).
    The key of a body (`_body_key`) holds the rest: the parsed filters, the colouring, the
    node cap, the language (the notice and the community names are translated) and where
    the record links point (the app and its script root). Bounded: beyond `max_count`
    bodies or `max_bytes`, the least recently used go.
    """

    def size(self, value: Body) -> int:
        return len(value.data)


def _body_key(params: GraphParams, max_nodes: int) -> Hashable:
    """What decides the bytes of a view's answer besides the graph version and scope."""
    return (params.filters, params.colour, max_nodes, *_where_rendered())


def _where_rendered() -> tuple[str, weakref.ref[Any], str]:
    """What else decides rendered text and links: the language, the app (its URL rules)
    and its script root."""
    app = weakref.ref(current_app._get_current_object())  # type: ignore[attr-defined]
    return (str(get_locale()), app, request.script_root)


def graph_json(user: Any, args: Any) -> Body | None:
    """The graph.json answer for `user` and the query string `args`, made once per graph
    version and view (`Bodies`); None when the focus is no node of the graph (404)."""
    entry, context, params = _asked(user, args)
    max_nodes = _max_nodes()
    bodies = entry.derived(BODIES, lambda _graph: Bodies())
    key = _body_key(params, max_nodes)
    body = bodies.get(key)
    if body is None:
        page = _cut(entry, context, params, max_nodes)
        if page.missing_focus:
            return None
        made = jsonify(elements(page))
        data = made.get_data()
        etag = hashlib.blake2b(data, digest_size=16).hexdigest()
        body = Body(data, etag, made.mimetype or "application/json")
        bodies.put(key, body)
    return body


def land_choices() -> list[tuple[str, str]]:
    """(AGS, name) of the 16 Länder, by name."""
    return sorted(((code, names[1]) for code, names in LAENDER.items()), key=lambda c: c[1])


def search_misses(view: GraphView) -> list[ViewNode]:
    """Search hits that the current view does not show (offered as neighbourhood links)."""
    shown = {node.id for node in view.nodes}
    return [hit for hit in view.matches if hit.id not in shown]


def kind_counts(view: GraphView) -> Mapping[str, int]:
    """How many nodes of each kind the view shows."""
    counts = {kind: 0 for kind in KINDS}
    for node in view.nodes:
        counts[node.kind] = counts.get(node.kind, 0) + 1
    return counts

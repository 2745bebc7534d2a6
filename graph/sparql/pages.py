"""What the SPARQL endpoint serves besides queries: entity pages (``/id/<id>``), the service
description, the VoID description, the JSON-LD context, the ontology and a landing page.

Entity URIs ``https://w3id.org/govplat/id/<id>`` dereference here with content negotiation:
HTML for people (facts, relationships with role and sources, the sources themselves, links),
Turtle / JSON-LD / N-Triples for machines. Every piece of text that reaches HTML goes through
``html.escape``, and only http(s) URLs become links.
"""
from __future__ import annotations

import datetime as dt
import html
import io
from urllib.parse import quote

import pyoxigraph as ox

from graph.ontology import GP, GP_ID, ONTOLOGY_PATH, ontology
from graph.rdf import dataset
from graph.rdf.dataset import DATA_LICENCE, DATASET
from graph.rdf.terms import OWL, PREFIXES, RDF, XSD, BNode, IRI, Lit, Quoted, from_ox

__all__ = ["route", "service_description", "entity_page", "void_groups"]

_GP, _GP_ID = str(GP), str(GP_ID)
_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_FORMATS = "http://www.w3.org/ns/formats/"
_DCT = "http://purl.org/dc/terms/"
_A = IRI(RDF + "type")
_FOAF = "http://xmlns.com/foaf/0.1/"
_SOURCE = _GP + "source"
_DEFAULT = ox.DefaultGraph()
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_DESCRIPTION = _DCT + "description"
_MACHINE = {"text/turtle": "ttl", "application/x-turtle": "ttl", "application/ld+json": "jsonld",
            "application/n-triples": "nt", "text/html": "html", "application/xhtml+xml": "html"}
_MEDIA = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json", "nt": "application/n-triples",
          "html": "text/html; charset=utf-8"}
_E = html.escape


def _fmt(accept: str | None, params: dict, default: str) -> str | None:
    from graph.rdf.results import FORMAT_ALIASES, negotiate

    asked = (params.get("format") or [None])[0]
    if asked:
        asked = FORMAT_ALIASES.get(asked.lower(), asked.lower())
        return asked if asked in _MEDIA else None
    return negotiate(accept, _MACHINE, default)


_DESCRIPTION_PREFIXES = {**dataset.DESCRIPTION_PREFIXES, "sd": _SD, "formats": _FORMATS}


def _serialise(groups, fmt: str, prefixes: dict | None = None) -> bytes:
    from graph.rdf.write import writer_for

    buf = io.BytesIO()
    w = writer_for(fmt, buf, prefixes)
    w.start()
    for subject, pos in groups:
        if fmt == "jsonld" and (type(subject) is Quoted or any(type(o) is Quoted for _, o in pos)):
            continue  # JSON-LD has no form for RDF-star; the Turtle view carries it
        w.group(None, subject, pos)
    w.finish()
    return buf.getvalue()


def route(endpoint, path: str, params: dict, accept: str | None, base: str):
    """(status, content type, body, headers) for a GET, or None when nothing lives at ``path``."""
    if path == "/":
        return 200, _MEDIA["html"], _landing(endpoint, base), {}
    if path.startswith("/id/"):
        return entity_page(endpoint, path[len("/id/"):], params, accept, base)
    if path in ("/.well-known/void", "/void"):
        fmt = _fmt(accept, params, "ttl")
        if fmt in (None, "html"):
            fmt = "ttl"
        return 200, _MEDIA[fmt], _serialise(void_groups(endpoint, base), fmt, _DESCRIPTION_PREFIXES), {"Vary": "Accept"}
    if path == "/context.jsonld":
        import json

        from graph.rdf.jsonld import context

        return 200, "application/ld+json", json.dumps(context(), indent=2) + "\n", {}
    if path == "/ontology.ttl":
        return 200, _MEDIA["ttl"], ONTOLOGY_PATH.read_bytes(), {}
    if path == "/ontology":  # people get a page; machines (and no Accept) get Turtle
        from graph.rdf.results import negotiate

        if negotiate(accept, {"text/turtle": "ttl", "text/html": "html", "application/xhtml+xml": "html"},
                     "ttl") == "html":
            return 200, _MEDIA["html"], _ontology_html(base), {"Vary": "Accept"}
        return 200, _MEDIA["ttl"], ONTOLOGY_PATH.read_bytes(), {"Vary": "Accept"}
    return None


# ---------------------------------------------------------------------------- entities
def _subject_groups(store: ox.Store, node: ox.NamedNode) -> list[tuple]:
    """The entity's own triples, relationships pointing at it, and the statements (sources,
    role) about every relationship it takes part in."""
    out = [(from_ox(q.predicate), from_ox(q.object)) for q in store.quads_for_pattern(node, None, None, _DEFAULT)]
    groups = [(IRI(node.value), out)] if out else []
    seen = set()
    incoming: dict = {}
    for q in store.quads_for_pattern(None, None, node, _DEFAULT):
        p = q.predicate.value
        if p.startswith(_GP) and p != _SOURCE:  # what a Source supports is a query, not its page
            incoming.setdefault(from_ox(q.subject), []).append((from_ox(q.predicate), IRI(node.value)))
    groups.extend(incoming.items())
    rel_triples = [(IRI(node.value), p, o) for p, o in out if type(o) is IRI and p.startswith(_GP) and p != _SOURCE]
    rel_triples += [(s, p, o) for s, pos in incoming.items() for p, o in pos]
    for s, p, o in rel_triples:
        for st, pos in _statements_about(store, s, p, o):
            if st not in seen:
                seen.add(st)
                groups.append((st, pos))
    return groups


def _statements_about(store: ox.Store, s, p, o) -> list[tuple]:
    """rdf:Statement reifications and RDF 1.2 reifiers of one triple, as (subject, pos)."""
    found = []
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "subject"), ox.NamedNode(s), _DEFAULT):
        st = q.subject
        if any(True for _ in store.quads_for_pattern(st, ox.NamedNode(RDF + "predicate"), ox.NamedNode(p), _DEFAULT)) \
                and any(True for _ in store.quads_for_pattern(st, ox.NamedNode(RDF + "object"), ox.NamedNode(o),
                                                              _DEFAULT)):
            found.append((from_ox(st), [(from_ox(x.predicate), from_ox(x.object))
                                        for x in store.quads_for_pattern(st, None, None, _DEFAULT)]))
    triple = ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "reifies"), triple, _DEFAULT):
        found.append((from_ox(q.subject), [(from_ox(x.predicate), from_ox(x.object))
                                           for x in store.quads_for_pattern(q.subject, None, None, _DEFAULT)]))
    return found


def entity_page(endpoint, local: str, params: dict, accept: str | None, base: str):
    fmt = _fmt(accept, params, "ttl")
    if fmt is None:
        return 406, "text/plain; charset=utf-8", ("ask for text/html, text/turtle, application/ld+json or "
                                                   "application/n-triples\n"), {"Vary": "Accept"}
    ds = endpoint.dataset
    try:
        node = ox.NamedNode(_GP_ID + local)
    except ValueError:  # NUL, spaces, <, >, quotes...: no entity IRI holds them
        message = f"{local!r} is not an entity id: no IRI can hold it"
        if fmt == "html":
            return 400, _MEDIA["html"], _page("Bad request", f"<p>{_E(message)}.</p>", base), {"Vary": "Accept"}
        return 400, "text/plain; charset=utf-8", message + "\n", {"Vary": "Accept"}
    groups = _subject_groups(ds.store, node) if local else []
    if not any(s == IRI(node.value) for s, _ in groups):
        message = f"no entity with id {local!r}"
        if fmt == "html":
            return 404, _MEDIA["html"], _page("Not found", f"<p>{_E(message)}.</p>", base), {"Vary": "Accept"}
        return 404, "text/plain; charset=utf-8", message + "\n", {"Vary": "Accept"}
    headers = {"Vary": "Accept", "Link": f'<{base}/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'}
    if fmt != "html":
        doc = IRI(f"{base}/id/{quote(local, safe='/._-~')}")
        about = [(_A, IRI(_FOAF + "Document")), (IRI(_FOAF + "primaryTopic"), IRI(node.value)),
                 (IRI(_DCT + "license"), IRI(DATA_LICENCE)), (IRI(_VOID + "inDataset"), IRI(DATASET))]
        return 200, _MEDIA[fmt], _serialise([(doc, about), *groups], fmt), headers
    return 200, _MEDIA["html"], _entity_html(ds.store, local, groups, base), headers


def _local_href(iri: str) -> str | None:
    if iri.startswith(_GP_ID):
        return "/id/" + quote(iri[len(_GP_ID):], safe="/._-~")
    return None


def _href(url: str) -> str | None:
    return url if url.lower().startswith(("http://", "https://")) else None


def _name_of(store: ox.Store, iri: str) -> str | None:
    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(_GP + "name"), None, _DEFAULT):
        return q.object.value
    return None


def _link(store: ox.Store, term) -> str:
    """HTML for a term: entities by name (linked here), http(s) IRIs linked out, text escaped."""
    if type(term) is IRI:
        local = _local_href(term)
        if local:
            label = _name_of(store, term) or term[len(_GP_ID):]
            return f'<a href="{_E(local)}">{_E(label)}</a>'
        if term.startswith(_GP):
            return f"<code>gp:{_E(term[len(_GP):])}</code>"
        out = _href(term)
        return f'<a href="{_E(out)}" rel="nofollow noopener">{_E(term)}</a>' if out else _E(term)
    if type(term) is Lit:
        if term.datatype == XSD + "anyURI" and _href(term.lexical):
            return f'<a href="{_E(term.lexical)}" rel="nofollow noopener">{_E(term.lexical)}</a>'
        return _E(term.lexical) + (f' <small lang="{_E(term.lang)}">@{_E(term.lang)}</small>' if term.lang else "")
    if type(term) is BNode:
        return f"<code>_:{_E(term)}</code>"
    if type(term) is Quoted:
        return f"&lt;&lt; {_link(store, term.s)} {_link(store, term.p)} {_link(store, term.o)} &gt;&gt;"
    return _E(str(term))


def _label_of_property(iri: str) -> str:
    onto = ontology()
    local = iri[len(_GP):] if iri.startswith(_GP) else None
    if local in onto.properties:
        return onto.properties[local].label or local
    for rel in onto.relations.values():
        if rel.name == local:
            return rel.label or local
    short = {RDF + "type": "class", OWL + "sameAs": "same as"}.get(iri)
    return short or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _entity_html(store: ox.Store, local: str, groups, base: str) -> str:
    me = IRI(_GP_ID + local)
    own = dict(groups)[me]
    onto = ontology()
    name = next((o.lexical for p, o in own if p == _GP + "name" and type(o) is Lit), local)
    classes = [o[len(_GP):] for p, o in own if p == _A and type(o) is IRI and o.startswith(_GP)]
    rel_iris = {str(r.uri) for r in onto.relations.values()}
    notes = {}
    for s, pos in groups:
        if s == me or (type(s) is IRI and s.startswith(_GP_ID) and not s.startswith(_GP_ID + "rel/")
                       and all(p in rel_iris for p, _ in pos)):
            continue
        d = dict()
        for p, o in pos:
            d.setdefault(p, []).append(o)
        key = None
        if RDF + "subject" in d:
            key = (d[RDF + "subject"][0], d[RDF + "predicate"][0], d[RDF + "object"][0])
        elif RDF + "reifies" in d and type(d[RDF + "reifies"][0]) is Quoted:
            t = d[RDF + "reifies"][0]
            key = (t.s, t.p, t.o)
        elif type(s) is Quoted:
            key = (s.s, s.p, s.o)
        if key:
            notes[key] = d
    facts, out_rels, sources = [], [], []
    for p, o in own:
        if p == _SOURCE and type(o) is IRI:
            sources.append(o)
        elif p in rel_iris:
            out_rels.append((p, o))
        elif p not in (_A, _GP + "id"):
            facts.append((p, o))
    in_rels = [(p, s) for s, pos in groups if s != me and type(s) is IRI and s.startswith(_GP_ID)
               and not s.startswith(_GP_ID + "rel/") for p, o in pos if p in rel_iris and o == me]

    def rel_row(p, other, key) -> str:
        n = notes.get(key, {})
        role = ", ".join(_E(x.lexical) for x in n.get(_GP + "role", []))
        srcs = ", ".join(_link(store, x) for x in n.get(_SOURCE, []))
        return (f"<tr><td>{_E(_label_of_property(p))}</td><td>{_link(store, other)}</td>"
                f"<td>{role}</td><td>{srcs}</td></tr>")

    parts = [f"<p class=meta>{' · '.join(_E(c) for c in classes)} · <code>{_E(me)}</code></p>"]
    by_prop: dict = {}
    for p, o in facts:
        by_prop.setdefault(p, []).append(o)
    for mirror, original in ((RDFS_LABEL, _GP + "name"), (DCT_DESCRIPTION, _GP + "description")):
        if original in by_prop:
            by_prop.pop(mirror, None)  # the same text, exported again under a common vocabulary
    rows = "".join(f"<tr><th>{_E(_label_of_property(p))}</th><td>{'<br>'.join(_link(store, o) for o in os)}</td></tr>"
                   for p, os in by_prop.items())
    parts.append(f"<h2>Facts</h2><table>{rows}</table>")
    head = "<tr><th>relation</th><th>entity</th><th>role</th><th>sources</th></tr>"
    if out_rels:
        body = "".join(rel_row(p, o, (me, p, o)) for p, o in out_rels)
        parts.append(f"<h2>Relations</h2><table>{head}{body}</table>")
    if in_rels:
        body = "".join(rel_row(p, s, (s, p, me)) for p, s in in_rels)
        parts.append(f"<h2>Referred to by</h2><table>{head}{body}</table>")
    if sources:
        items = []
        for iri in sources:
            title = _literal(store, iri, "title") or _name_of(store, iri) or iri[len(_GP_ID):]
            publisher = _literal(store, iri, "publisher")
            url = _literal(store, iri, "url")
            date = _literal(store, iri, "publishedDate")
            link = f'<a href="{_E(_local_href(iri) or "")}">{_E(title)}</a>'
            extra = " — ".join(_E(x) for x in (publisher, date) if x)
            out = f' (<a href="{_E(url)}" rel="nofollow noopener">original</a>)' if url and _href(url) else ""
            items.append(f"<li>{link}{' — ' + extra if extra else ''}{out}</li>")
        parts.append(f"<h2>Sources</h2><ul>{''.join(items)}</ul>")
    q = quote(local, safe="")
    parts.append(f'<p class=meta>As data: <a href="/id/{_E(q)}?format=ttl">Turtle</a> · '
                 f'<a href="/id/{_E(q)}?format=jsonld">JSON-LD</a> · <a href="/id/{_E(q)}?format=nt">N-Triples</a></p>')
    return _page(name, "".join(parts), base)


def _literal(store: ox.Store, iri: str, prop: str) -> str | None:
    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(_GP + prop), None, _DEFAULT):
        return q.object.value
    return None


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
          "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
          "text-align:left;vertical-align:top}th{width:14rem;font-weight:600}.meta{color:#666}"
          "textarea{width:100%;font-family:monospace}")


def _page(title: str, body: str, base: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_E(title)} · govplat</title>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{_STYLE}</style></head>"
            f"<body><p class=meta><a href='/'>govplat</a> · <a href='/sparql'>SPARQL</a></p>"
            f"<h1>{_E(title)}</h1>{body}</body></html>\n")


def _landing(endpoint, base: str) -> str:
    ds = endpoint.dataset
    body = (f"<p>{ds.quads} statements, loaded {_E(dt.datetime.fromtimestamp(ds.loaded_at).isoformat(' ', 'seconds'))}."
            "</p><ul><li><a href='/sparql'>SPARQL endpoint</a> (<code>/sparql</code>, SPARQL 1.1 Protocol)</li>"
            "<li><a href='/.well-known/void'>VoID description</a></li>"
            "<li><a href='/context.jsonld'>JSON-LD context</a></li><li><a href='/ontology'>Ontology</a></li></ul>"
            "<p>Entities live at <code>/id/&lt;id&gt;</code>, e.g. <a href='/id/us-cbp'>/id/us-cbp</a>.</p>")
    return _page("govplat linked data", body, base)


def _ontology_html(base: str) -> str:
    """The ontology for people: classes and properties with their labels and comments."""
    onto = ontology()
    rows = "".join(f"<tr><th id='{_E(c.name)}'>{_E(c.label or c.name)}<br><code>gp:{_E(c.name)}</code></th>"
                   f"<td>{_E(c.comment)}{' <em>(abstract)</em>' if c.abstract else ''}"
                   f"{'<br>subclass of ' + ', '.join(f'<code>gp:{_E(p)}</code>' for p in c.parents) if c.parents else ''}"
                   "</td></tr>" for c in sorted(onto.classes.values(), key=lambda c: c.name))
    props = "".join(f"<tr><th id='{_E(p.name)}'>{_E(p.label or p.name)}<br><code>gp:{_E(p.name)}</code></th>"
                    f"<td>{_E(p.comment)}</td></tr>" for p in sorted(onto.properties.values(), key=lambda p: p.name))
    rels = "".join(f"<tr><th id='{_E(r.name)}'>{_E(r.label or r.name)}<br><code>gp:{_E(r.name)}</code> "
                   f"({_E(r.type)})</th><td>{_E(r.comment)}</td></tr>"
                   for r in sorted(onto.relations.values(), key=lambda r: r.name))
    schemes = "".join(f"<h3>{_E(v.label)} (<code>gp:{_E(v.name)}</code>)</h3><p>{_E(v.comment)}</p><ul>"
                      + "".join(f"<li><code>{_E(n)}</code> — {_E(c.definition)}</li>" for n, c in v.concepts.items())
                      + "</ul>" for v in onto.vocabularies.values())
    body = ("<p class=meta>As Turtle: <a href='/ontology.ttl'>/ontology.ttl</a> (or ask for "
            "<code>text/turtle</code>). IRI <code>https://w3id.org/govplat/ontology#</code>.</p>"
            f"<h2>Classes</h2><table>{rows}</table><h2>Relationships</h2><table>{rels}</table>"
            f"<h2>Properties</h2><table>{props}</table><h2>Controlled vocabularies</h2>{schemes}")
    return _page("govplat ontology", body, base)


def _query_form(base: str) -> str:
    example = ("PREFIX gp: <https://w3id.org/govplat/ontology#>\nSELECT ?conflict ?name ?started WHERE {\n"
               "  ?conflict a gp:Conflict ; gp:name ?name ; gp:startDate ?started .\n} ORDER BY DESC(?started)\n"
               "LIMIT 20")
    body = (f"<form method=post action='/sparql'><textarea name=query rows=12>{_E(example)}</textarea>"
            "<p><label>Results as <select name=format><option>json</option><option>xml</option>"
            "<option>csv</option><option>tsv</option><option>ttl</option><option>jsonld</option></select></label> "
            "<button>Run</button></p></form>"
            "<p class=meta>Read-only; queries time out and results stop at a row cap. "
            "<a href='/sparql?format=ttl'>Service description</a>.</p>")
    return _page("SPARQL", body, base)


# ---------------------------------------------------------------------------- descriptions
def _count(store: ox.Store, query: str) -> list:
    return list(store.query(query))


def _stats(ds) -> dict:
    store = ds.store

    def make():
        total = len(list(store.quads_for_pattern(None, None, None, _DEFAULT)))
        by_class = [(s["c"].value, int(s["n"].value)) for s in _count(
            store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")]
        by_prop = [(s["p"].value, int(s["n"].value)) for s in _count(
            store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")]
        row = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o) WHERE { ?s ?p ?o }")[0]
        graphs = [(s["g"].value, int(s["n"].value)) for s in _count(
            store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
        entities = int(_count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{_GP}Entity> }}")[0]["n"].value)
        example = next((q.subject.value for q in store.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(_GP + "Conflict"), _DEFAULT)), None)
        dates = " ".join(f"<{_GP}{p}>" for p in dataset.COVERAGE_DATES)
        span = _count(store, f"SELECT (MIN(STR(?d)) AS ?start) (MAX(STR(?d)) AS ?end) WHERE {{ VALUES ?p {{ {dates} }} "
                             "?s ?p ?d }")[0]
        places = [r["c"].value[len(_GP_ID):] for r in _count(store, f"SELECT ?c WHERE {{ ?c a <{_GP}Country> }}")]
        return {"triples": total, "classes": by_class, "properties": by_prop, "subjects": int(row["s"].value),
                "objects": int(row["o"].value), "graphs": graphs, "entities": entities, "example": example,
                "start": span["start"].value[:10] if span["start"] else None,
                "end": span["end"].value[:10] if span["end"] else None, "places": places}

    return ds.cached("stats", make)


def _int(n: int) -> Lit:
    return Lit(str(n), XSD + "integer")


def void_groups(endpoint, base: str) -> list[tuple]:
    """The VoID + DCAT description (graph.rdf.dataset) with the counts of the data served."""
    ds = endpoint.dataset
    st = _stats(ds)
    cov = dataset.Coverage(start=st["start"], end=st["end"], places=set(st["places"]), entities=st["entities"])
    stats = dataset.Stats(
        triples=st["triples"], entities=st["entities"], coverage=cov,
        modified=dt.datetime.fromtimestamp(ds.loaded_at, dt.timezone.utc).isoformat(timespec="seconds"),
        subjects=st["subjects"], objects=st["objects"], classes=st["classes"], properties=st["properties"],
        example=st["example"], same_as=dict(st["properties"]).get(OWL + "sameAs", 0))
    return dataset.groups(stats, sparql=f"{base}/sparql", homepage=f"{base}/")


def service_description(endpoint, accept: str | None, base: str, params: dict):
    fmt = _fmt(accept, params, "ttl")
    if fmt == "html":
        return 200, _MEDIA["html"], _query_form(base), {"Vary": "Accept"}
    fmt = fmt or "ttl"
    ds = endpoint.dataset
    st = _stats(ds)
    svc = IRI(f"{base}/sparql")
    pos = [(_A, IRI(_SD + "Service")), (IRI(_SD + "endpoint"), svc),
           (IRI(_SD + "supportedLanguage"), IRI(_SD + "SPARQL11Query")),
           (IRI(_SD + "defaultEntailmentRegime"), IRI("http://www.w3.org/ns/entailment/Simple")),
           (IRI(_SD + "defaultDataset"), BNode("dataset")),
           (IRI("http://www.w3.org/2000/01/rdf-schema#seeAlso"), IRI(f"{base}/.well-known/void"))]
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
              "Turtle", "JSON-LD", "N-Triples"):
        pos.append((IRI(_SD + "resultFormat"), IRI(_FORMATS + f)))
    dataset = [(_A, IRI(_SD + "Dataset")), (IRI(_SD + "defaultGraph"), BNode("default"))]
    groups = [(svc, pos), (BNode("dataset"), dataset),
              (BNode("default"), [(_A, IRI(_SD + "Graph")), (IRI(_VOID + "triples"), _int(st["triples"]))])]
    for i, (g, n) in enumerate(st["graphs"]):
        ng, gr = BNode(f"ng{i}"), BNode(f"g{i}")
        dataset.append((IRI(_SD + "namedGraph"), ng))
        groups.append((ng, [(_A, IRI(_SD + "NamedGraph")), (IRI(_SD + "name"), IRI(g)), (IRI(_SD + "graph"), gr)]))
        groups.append((gr, [(_A, IRI(_SD + "Graph")), (IRI(_VOID + "triples"), _int(n))]))
    return 200, _MEDIA[fmt], _serialise(groups, fmt, _DESCRIPTION_PREFIXES), {"Vary": "Accept"}

"""Neo4j Cypher for the embedded store: an analyst's query runs unchanged on both engines.

User Cypher is written as for Neo4j. Before it runs on Ladybug it is parsed (graphglot's
openCypher parser, the query's real structure, never a pattern over its text) and the
places where Ladybug would read it differently are rewritten:

* classes: Neo4j stores every superclass as a label, Ladybug has one table per concrete class.
  ``(d:Demand)`` becomes the union of Demand's concrete subclasses, ``(n:A:B)`` (both) the
  classes under both, ``(n:A|B)`` (either) the classes under either, a lone ``(n)`` every
  class; ``WHERE n:Class`` becomes a test of ``label(n)``. Labels are exact: ``:platform``
  is refused with the right spelling (Ladybug would match it, Neo4j would not);
* functions: ``labels(n)``, ``type(r)``, ``toLower`` ... as graph/cypher/dialect.yaml lists;
  ``d.year`` / ``.month`` / ``.day`` / ``.quarter`` on a date become ``date_part``;
* lists: Neo4j indexes from 0, Ladybug from 1: ``xs[i]`` and ``xs[a..b]`` are shifted;
* paths: Neo4j never uses a relationship twice in one MATCH; Ladybug does unless told: a
  variable-length pattern gets ``is_trail(r)`` and a MATCH with several relationships gets
  ``id(r1) <> id(r2)`` conditions;
* ``CALL db.labels()`` / ``db.relationshipTypes()`` / ``db.propertyKeys()`` are answered from
  the store's catalogue (graph/schema.py).

What cannot be translated to the same answer is refused with a QueryError that names the
construct and the portable form. The engine still decides what the query may do (read-only
check in Store.run_user); this module only makes both engines read it the same way.

>>> from graph.ontology import ontology
>>> translate("MATCH (g:GovernmentBody) RETURN count(g) AS n", ontology())
'MATCH (g:Agency:Court:Government:LawEnforcement:Legislature:Regulator) RETURN count(g) AS n'
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import QueryError
from graph.ontology import Ontology

__all__ = ["refuse_deep_nesting", "translate", "UnsupportedCypher"]

_DATA = Path(__file__).with_suffix(".yaml")
_BIG = "2147483647"  # "to the end" for Ladybug's substring/list_slice, which need a length


class UnsupportedCypher(QueryError):
    """A Neo4j construct the embedded store cannot answer the same way."""

    too_deep = False  # nested past what a parser's stack holds: no other parser is given it either


class NestedTooDeeply(UnsupportedCypher):
    too_deep = True


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _neo4j():
    from graphglot.dialect import Dialect  # imported on first use: ~0.4 s

    return Dialect.get_or_raise("neo4j")


@lru_cache(maxsize=1)
def _ast():
    """graphglot's AST classes (GQL and Cypher extensions) in one namespace."""
    import types

    from graphglot import ast
    from graphglot.ast import cypher

    return types.SimpleNamespace(**{**vars(ast), **vars(cypher)})


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int  # exclusive; start == end inserts
    text: str


def translate(cypher: str, onto: Ontology, store=None) -> str:
    """The query as Ladybug must read it to answer as Neo4j does; refuses what it cannot.

    ``store`` (the embedded store) answers ``CALL db.labels()`` and friends (graph.schema.catalogue).
    """
    from graphglot.error import GraphGlotError

    try:
        masked = _mask_parameter_names(cypher, _neo4j().tokenize(cypher))
        trees = _neo4j().parse(masked)
        tokens = _neo4j().tokenize(masked)
    except GraphGlotError as exc:
        raise UnsupportedCypher(_procedure_refusal(cypher) or _parse_refusal(cypher, exc)) from None
    except RecursionError:
        raise NestedTooDeeply("the query is nested too deeply to read") from None
    try:
        return _Translator(cypher, tokens, onto, store).run(trees)
    except (UnsupportedCypher, RecursionError):
        raise
    except Exception as exc:  # a shape of tree this module does not know: refuse, never guess
        raise UnsupportedCypher(f"could not translate this query for the embedded store "
                                f"({type(exc).__name__}: {exc}); please report it with the query") from exc


def refuse_deep_nesting(cypher: str) -> None:
    """NestedTooDeeply when brackets nest deeper than GOVPLAT_QUERY_MAX_NESTING, counted on the
    tokenizer's tokens (a bracket in a string or a comment is no token). Every parser recurses per
    level: graphglot until Python's recursion limit; Ladybug's until its stack overflows (3,000
    levels ended the process) or for minutes (5,000 parentheses); Neo4j's for minutes from about
    300 parentheses. A text the tokenizer cannot read is left to the engine."""
    from graphglot.error import GraphGlotError

    from graph.settings import settings

    try:
        tokens = _neo4j().tokenize(cypher)
    except GraphGlotError:
        return
    limit, depth = settings().query_max_nesting, 0
    for tok in tokens:
        kind = tok.token_type.name
        if kind in ("LEFT_PAREN", "LEFT_BRACKET", "LEFT_BRACE"):
            depth += 1
            if depth > limit:
                raise NestedTooDeeply(f"the query nests brackets more than GOVPLAT_QUERY_MAX_NESTING={limit} deep")
        elif kind in ("RIGHT_PAREN", "RIGHT_BRACKET", "RIGHT_BRACE"):
            depth -= 1


def _mask_parameter_names(cypher: str, tokens: list) -> str:
    """``$limit``: the parser takes a keyword after ``$`` for the keyword. Parameters are never
    rewritten, so their names are masked with same-length placeholders for the parse only;
    every offset stays valid and the output is cut from the original text."""
    out = list(cypher)
    for prev, tok in zip(tokens, tokens[1:]):
        if prev.text == "$" and tok.start == prev.end + 1 and str(tok.token_type) != "TokenType.VAR" \
                and tok.text[:1].isalpha() and cypher[tok.start] != "`":
            length = tok.end + 1 - tok.start
            out[tok.start:tok.end + 1] = list(("p" + "x" * length)[:length])
    return "".join(out)


def _procedures_offered() -> str:
    names = {"db.labels": "db.labels", "db.relationshiptypes": "db.relationshipTypes", "db.propertykeys": "db.propertyKeys"}
    return ", ".join(f"{names.get(p, p)}()" for p in sorted(_data()["procedures"]))


def _procedure_refusal(cypher: str) -> str:
    """``CALL a.b.c(...)`` the parser cannot read (a reserved word in the name): name the procedure."""
    from graphglot.error import GraphGlotError

    try:
        toks = _neo4j().tokenize(cypher)
    except GraphGlotError:
        return ""
    if len(toks) < 2 or toks[0].text.upper() != "CALL" or toks[1].text == "{":
        return ""
    name = "".join(t.text for t in toks[1:][:next((i for i, t in enumerate(toks[1:]) if t.text == "("), 0)])
    return (f"procedure {name} is not available on the embedded store; it answers {_procedures_offered()}, "
            "and `govplat schema` shows classes, relationship pairs and properties")


def _parse_refusal(cypher: str, exc: Exception) -> str:
    low = cypher.lower()
    try:  # a refused function (shortestPath, reduce ...) is often what the parser stumbled on
        toks = _neo4j().tokenize(cypher)
    except Exception:  # noqa: BLE001 - the lexer failed too; fall back to the parser's words
        toks = []
    for t, nxt in zip(toks, toks[1:]):
        spec = _data()["functions"].get(t.text.lower(), {})
        if nxt.text == "(" and "refuse" in spec:
            return spec["refuse"]
    hints = {"count {": "COUNT { ... } subqueries: use OPTIONAL MATCH ... count(x)",
             "count{": "COUNT { ... } subqueries: use OPTIONAL MATCH ... count(x)",
             " yield ": "CALL ... YIELD ... WHERE: put the condition in a WITH ... WHERE after YIELD",
             "{.": "map projections n {.name}: return the properties as columns (n.name AS name)"}
    hint = next((h for k, h in hints.items() if k in low), "")
    first = str(exc).strip().splitlines()[0]
    errors = [e for e in getattr(exc, "errors", None) or [] if isinstance(e, dict)]
    word = next((e.get("highlight") for e in errors if e.get("highlight")), "")
    if word and first.startswith("Expected one of"):
        first = f"unexpected {word!r} at line {errors[0].get('line')}, column {errors[0].get('col')}"
    if not hint and word and word.replace("_", "").isalpha():
        hint = (f"if {word!r} is a name you chose (variable or alias), the parser reserves it: "
                f"write it in backticks (`{word}`) or choose another name")
    return (f"the embedded store reads Neo4j Cypher and could not read this query ({first})"
            + (f"; {hint}" if hint else ""))


class _Translator:
    def __init__(self, text: str, tokens: list, onto: Ontology, store) -> None:
        self.text, self.onto, self.store = text, onto, store
        self.tokens = tokens
        self.by_start = {t.start: i for i, t in enumerate(tokens)}
        self.edits: list[_Edit] = []
        self.node_vars: set[str] = set()
        self.rel_vars: set[str] = set()
        self.date_vars: set[str] = set()  # WITH ... AS v where the value is a date
        self.counter = 0
        self._positions: list[tuple[str, int]] | None = None
        self.classes_lower = {c.lower(): c for c in onto.classes}
        self.rels_lower = {r.lower(): r for r in onto.relations}

    # ---------------------------------------------------------------- plumbing
    def run(self, trees) -> str:
        ast = _ast()

        for tree in trees:
            self._collect_pattern_vars(tree)
        for tree in trees:
            self._root = tree
            for node in tree.dfs():
                self._visit(node, ast)
        self._functions()
        return self._apply()

    def _span(self, node) -> tuple[int, int] | None:
        """Where a node is in the text. The parser records it for most nodes; for the others
        (some function calls, subscripts) it is found from the spans inside and the tokens
        around them: ``name(`` before the first and the matching ``)`` or ``]`` after."""
        span = node.source_span
        if span:
            return (span[0], span[1])
        inner = [s for s in (self._span(c) for c in node.children()) if s]
        if not inner:
            return None
        lo, hi = min(s[0] for s in inner), max(s[1] for s in inner)
        i = self._tok_after(lo)
        if i >= 2 and self.tokens[i - 1].text == "(" and self.tokens[i - 2].text[:1].isalpha():
            close = self._closing(i - 1)
            return self.tokens[i - 2].start, self.tokens[close].end + 1
        j = self._tok_after(hi)
        if j < len(self.tokens) and self.tokens[j].text == "]":
            return lo, self.tokens[j].end + 1
        return lo, hi

    def _tok_index(self, pos: int) -> int:
        if pos in self.by_start:
            return self.by_start[pos]
        raise UnsupportedCypher(f"cannot locate the construct at character {pos} of the query")

    def _tok_after(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return next(i for i, t in enumerate(self.tokens) if t.start >= pos)

    def _tok_before(self, pos: int) -> int:
        """Index of the last token ending before ``pos``."""
        return max(i for i, t in enumerate(self.tokens) if t.end < pos)

    def _edit(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, text))

    def _apply(self) -> str:
        edits = sorted(self.edits, key=lambda e: (e.start, e.end))
        out, pos = [], 0
        for e in edits:
            if e.start < pos:
                raise UnsupportedCypher(
                    f"cannot translate {self.text[e.start:e.end] or self.text[e.start:e.start + 20]!r}: "
                    "two rewrites overlap there; simplify the expression")
            out.append(self.text[pos:e.start])
            out.append(e.text)
            pos = e.end
        out.append(self.text[pos:])
        return "".join(out)

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"_gp_{prefix}{self.counter}"

    # ------------------------------------------------------------- collecting
    def _collect_pattern_vars(self, tree) -> None:
        ast = _ast()

        for node in tree.dfs():
            if isinstance(node, ast.ReturnItem) and node.return_item_alias is not None:
                if self._is_date_expression(node.aggregating_value_expression, ast):
                    self.date_vars.add(node.return_item_alias.identifier.name)
            if isinstance(node, ast.NodePattern):
                var = self._var(node.element_pattern_filler)
                if var:
                    self.node_vars.add(var)
            elif isinstance(node, ast.EdgePattern):
                filler = getattr(node, "element_pattern_filler", None)
                var = self._var(filler) if filler is not None else None
                if var:
                    self.rel_vars.add(var)

    @staticmethod
    def _var(filler) -> str | None:
        decl = filler.element_variable_declaration if filler is not None else None
        return decl.element_variable.name if decl is not None else None

    # ---------------------------------------------------------------- visitor
    def _visit(self, node, ast) -> None:
        if isinstance(node, ast.SimpleMatchStatement):
            self._match(node, ast)
        elif isinstance(node, ast.NodePattern):
            pass  # handled per MATCH (needs the path around it)
        elif isinstance(node, ast.LabeledPredicate):
            self._label_predicate(node, ast)
        elif isinstance(node, ast.Labels):
            self._labels_function(node, ast)
        elif isinstance(node, ast.CypherSubscriptExpression):
            self._subscript(node, ast)
        elif isinstance(node, ast.CypherSliceExpression):
            self._slice(node, ast)
        elif isinstance(node, ast.PropertyReference):
            self._check_property_reference(node, ast)
            self._property(node, ast)
        elif isinstance(node, ast.PropertyKeyValuePair) and isinstance(node._parent, ast.PropertyKeyValuePairList):
            self._check_property(node.property_name.identifier.name, "a pattern")
        elif isinstance(node, ast.CallProcedureStatement):
            self._procedure(node, ast)
        elif isinstance(node, ast.ListComprehension):
            self._comprehension(node, ast)
        elif isinstance(node, ast.ComparisonPredicate):
            self._comparison(node, ast)
        elif isinstance(node, ast.CypherPatternPredicate):
            self._pattern_predicate(node, ast)
        elif isinstance(node, ast.CypherWithStatement):
            self._with(node, ast)

    # ------------------------------------------------------------- patterns
    def _match(self, stmt, ast) -> None:
        pattern: Any = stmt.graph_pattern_binding_table.graph_pattern
        # Relationship and node patterns of this MATCH only (not of EXISTS { } inside it).
        nested = (ast.ExistsPredicate, ast.CypherPatternPredicate, ast.SimpleMatchStatement)
        prune = lambda n: n is not pattern and n is not stmt and isinstance(n, nested)  # noqa: E731
        rels = []
        for path in pattern.path_pattern_list.list_path_pattern:
            factors = list(path.path_pattern_expression.dfs(prune=prune))
            nodes = [f for f in factors if isinstance(f, ast.NodePattern)]
            edges = [f for f in factors if isinstance(f, ast.EdgePattern)]
            quantified = {id(q.path_primary): q for q in factors if isinstance(q, ast.QuantifiedPathPrimary)}
            for n in nodes:
                self._node_pattern(n, alone=not edges)
            for e in edges:
                rels.append(self._edge_pattern(e, quantified.get(id(e)), ast))
        self._uniqueness(pattern, rels)

    def _pattern_predicate(self, pred, ast) -> None:
        factors = list(pred.pattern.path_pattern_expression.dfs())
        for n in factors:
            if isinstance(n, ast.NodePattern):
                self._node_pattern(n, alone=False)
        quantified = {id(q.path_primary): q for q in factors if isinstance(q, ast.QuantifiedPathPrimary)}
        edges = [f for f in factors if isinstance(f, ast.EdgePattern)]
        for e in edges:
            self._edge_pattern(e, quantified.get(id(e)), ast, name=False)
        if quantified or len(edges) > 1:
            raise UnsupportedCypher(
                f"the pattern condition {self._src(pred.pattern)} has several or variable-length relationships; "
                "write it as EXISTS { MATCH ... } so both engines read it the same way")

    def _label_terms(self, label_expression, ast, kind: str) -> list[list[str]]:
        """A label expression as OR of ANDs of exact names; refuses negation and wildcards."""
        terms = []
        for term in label_expression.label_terms:
            names = []
            for factor in term.label_factors:
                if not isinstance(factor, ast.LabelName):
                    raise UnsupportedCypher(
                        f"label expression {self._src(term) or type(factor).__name__}: negated (!), wildcard (%) "
                        "and parenthesised labels are not supported on the embedded store; "
                        "write the classes out, as in (n:Platform|Company)")
                names.append(self._check_name(factor.identifier.name, kind))
            terms.append(names)
        return terms

    def _src(self, node) -> str:
        span = self._span(node)
        return self.text[span[0]:span[1]] if span else ""

    def _check_name(self, name: str, kind: str) -> str:
        known, lower = (self.onto.classes, self.classes_lower) if kind == "node" else (self.onto.relations, self.rels_lower)
        if name in known:
            return name
        what = "label" if kind == "node" else "relationship type"
        if name.lower() in lower:
            raise UnsupportedCypher(
                f"{what} :{name} does not exist (labels and types are case-sensitive on Neo4j); "
                f"write :{lower[name.lower()]}")
        close = difflib.get_close_matches(name, list(known), n=3)
        raise UnsupportedCypher(
            f"unknown {what} :{name}" + (f"; did you mean {', '.join(':' + c for c in close)}?" if close else "")
            + " (`govplat schema` lists them)")

    def _concrete(self, terms: list[list[str]]) -> list[str]:
        out: set[str] = set()
        for names in terms:
            sets = [set(self.onto.concrete_subclasses(n)) for n in names]
            out |= set.intersection(*sets)
        return sorted(out)

    def _label_span(self, label_names) -> tuple[int, int]:
        first, last = self._span(label_names[0]), self._span(label_names[-1])
        colon = self._tok_before(first[0])
        if self.tokens[colon].text not in (":", "&", "|") and self.tokens[colon].text.upper() != "IS":
            raise UnsupportedCypher(f"cannot translate the labels at {self.text[first[0]:last[1]]!r}")
        return self.tokens[colon].start, last[1]

    def _node_pattern(self, node, alone: bool) -> None:
        ast = _ast()

        filler = node.element_pattern_filler
        var = self._var(filler)
        if filler.is_label_expression is None:
            # A lone (n) would also match the store's GovplatMeta table; Neo4j's nodes are all entities.
            if alone and (var is None or var not in self._bound_before(node)):
                span = self._span(node)
                at = self._span(filler.element_variable_declaration)[1] if var else span[0] + 1
                self._edit(at, at, ":" + ":".join(self.onto.concrete_classes()))
            return
        expr = filler.is_label_expression.label_expression
        terms = self._label_terms(expr, ast, "node")
        classes = self._concrete(terms)
        if not classes:
            shown = "|".join(":".join(t) for t in terms)
            raise UnsupportedCypher(
                f"(:{shown}): no class is all of {', '.join(sorted({n for t in terms for n in t}))}, so Neo4j "
                "finds nothing here; to match either class write (n:A|B)")
        names = [f for t in expr.label_terms for f in t.label_factors]
        start, end = self._label_span(names)
        self._edit(start, end, ":" + ":".join(classes))

    def _bound_before(self, node) -> set[str]:
        """Node variables written in a node pattern before this one (a re-used (n) is not alone)."""
        start = self._span(node)[0]
        return {var for var, pos in self._node_var_positions() if pos < start}

    def _node_var_positions(self) -> list[tuple[str, int]]:
        # Every binding of a name before a position: node patterns, and WITH/UNWIND/YIELD aliases.
        if self._positions is None:
            self._positions = [(self.tokens[i + 1].text, t.start) for i, t in enumerate(self.tokens[:-1])
                               if t.text == "(" or t.text.upper() == "AS"]
        return self._positions

    def _edge_pattern(self, edge, quantifier, ast, name: bool = True) -> dict:
        filler = getattr(edge, "element_pattern_filler", None)
        types: list[str] | None = None
        if filler is not None and filler.is_label_expression is not None:
            terms = self._label_terms(filler.is_label_expression.label_expression, ast, "rel")
            if any(len(t) > 1 for t in terms):
                raise UnsupportedCypher("a relationship has one type, so [:A&B] (or [:A:B]) matches nothing; "
                                        "to match either type write [:A|B]")
            types = [t[0] for t in terms]
        var = self._var(filler) if filler is not None else None
        variable = quantifier is not None
        if variable:
            q = quantifier.graph_pattern_quantifier
            if not isinstance(q, ast.GeneralQuantifier) or q.upper_bound is None:
                if not isinstance(q, ast.FixedQuantifier):
                    raise UnsupportedCypher(
                        f"{self._src(edge) or 'a variable-length relationship'} without an upper bound: the embedded "
                        "store caps such patterns; give the bound, as in -[*1..4]-")
        return {"edge": edge, "var": var, "types": types, "variable": variable, "name": name}

    def _ensure_var(self, rel: dict) -> str:
        if rel["var"]:
            return rel["var"]
        edge = rel["edge"]
        name = self._name("r")
        span = self._span(edge)
        text = self.text[span[0]:span[1]]
        bracket = text.find("[")
        if bracket >= 0:
            self._edit(span[0] + bracket + 1, span[0] + bracket + 1, name)
        else:  # --> <-- --
            left = "<" if text.startswith("<") else ""
            right = ">" if text.endswith(">") else ""
            self._edit(span[0], span[1], f"{left}-[{name}]-{right}")
        rel["var"] = name
        return name

    def _uniqueness(self, pattern, rels: list[dict]) -> None:
        """Neo4j never binds one relationship twice in a MATCH; say so to Ladybug.

        Ladybug's variable-length patterns are walks (its recursive_pattern_semantic setting
        did not change that when measured), so each gets is_trail().
        """
        conds = [f"is_trail({self._ensure_var(r)})" for r in rels if r["variable"]]
        for i, a in enumerate(rels):
            for b in rels[i + 1:]:
                if a["types"] is not None and b["types"] is not None and not set(a["types"]) & set(b["types"]):
                    continue  # different types: never the same relationship
                if a["variable"] and b["variable"]:
                    raise UnsupportedCypher(
                        "two variable-length relationships in one MATCH: the embedded store cannot keep them from "
                        "sharing a relationship as Neo4j does; use one variable-length pattern per MATCH")
                va, vb = self._ensure_var(a), self._ensure_var(b)
                if a["variable"] or b["variable"]:
                    many, one = (va, vb) if a["variable"] else (vb, va)
                    x = self._name("x")
                    conds.append(f"none({x} IN rels({many}) WHERE id({x}) = id({one}))")
                else:
                    conds.append(f"id({va}) <> id({vb})")
        if not conds:
            return
        extra = " AND ".join(conds)
        where = pattern.graph_pattern_where_clause
        if where is None:
            end = self._span(pattern.path_pattern_list)[1]
            self._edit(end, end, f" WHERE {extra}")
        else:
            cond = self._span(where.search_condition)
            self._edit(cond[0], cond[0], "(")
            self._edit(cond[1], cond[1], f") AND {extra}")

    def _with(self, node, ast) -> None:
        """WITH ... ORDER BY: Ladybug wants SKIP or LIMIT after it, and drops the order (and so
        picks other rows for the LIMIT) when an aggregation follows, as measured on 0.22."""
        page = next((c for c in node.children() if isinstance(c, ast.OrderByAndPageStatement)), None)
        inner = next(iter(page.children()), None) if page is not None else None
        if inner is None or getattr(inner, "order_by_clause", None) is None:
            return
        end = self._span(page)[1]
        later = [n for n in self._root.dfs() if isinstance(n, ast.AggregateFunction)
                 and (self._span(n) or (0, 0))[0] >= end]
        if later:
            raise UnsupportedCypher(
                f"{self._src(node)} followed by an aggregation ({self._src(later[0]) or 'collect/count'}): the "
                "embedded store does not keep that order into the aggregation, so it would pick other rows; "
                "order in the final RETURN (RETURN ... ORDER BY ... LIMIT n), or aggregate first")
        if getattr(inner, "offset_clause", None) is None and getattr(inner, "limit_clause", None) is None:
            self._edit(end, end, " SKIP 0")

    # ----------------------------------------------------------- expressions
    def _label_predicate(self, node, ast) -> None:
        var = node.element_variable_reference
        name = self._src(var)
        kind = "rel" if name in self.rel_vars else "node"
        expr = node.labeled_predicate_part_2.label_expression
        terms = self._label_terms(expr, ast, kind)
        if kind == "rel":
            if any(len(t) > 1 for t in terms):
                raise UnsupportedCypher(f"{self._src(node)}: a relationship has one type; write r:A|B for either")
            allowed = sorted({t[0] for t in terms})
        else:
            allowed = self._concrete(terms)
        span = self._span(node)
        listed = ", ".join(f"'{c}'" for c in allowed)
        self._edit(span[0], span[1], f"(label({name}) IN [{listed}])")

    def _call_tokens(self, node) -> tuple[int, int]:
        """(name token, closing parenthesis token) of a function call node whose span may be missing."""
        args = [c for c in node.children() if self._span(c)]
        if self._span(node):
            first = self._tok_index(self._span(node)[0])
        elif args:
            first = self._tok_before(self._span(args[0])[0]) - 1
        else:
            raise UnsupportedCypher(f"cannot locate a call to {type(node).__name__}")
        return first, self._closing(first + 1)

    def _closing(self, open_index: int) -> int:
        depth = 0
        for i in range(open_index, len(self.tokens)):
            t = self.tokens[i].text
            if t in ("(", "[", "{"):
                depth += 1
            elif t in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return i
        raise UnsupportedCypher("unbalanced parentheses")

    def _labels_function(self, node, ast) -> None:
        parent = node._parent
        if isinstance(parent, ast.CypherSubscriptExpression) and parent.base is node:
            raise UnsupportedCypher(
                "labels(n)[i]: Neo4j does not define the order of labels; test a class with n:Class or "
                "'Class' IN labels(n)")
        name, close = self._call_tokens(node)
        whens = " ".join(
            f"WHEN '{c}' THEN [{', '.join(repr(l) for l in sorted([c, *self.onto.ancestors(c)]))}]"
            for c in self.onto.concrete_classes())
        t = self.tokens[name]
        self._edit(t.start, t.end + 1, "CASE label")
        end = self.tokens[close].end + 1
        self._edit(end, end, f" {whens} END")

    def _subscript(self, node, ast) -> None:
        index = node.index
        span = self._span(index)
        lit = self._int_literal(index, ast)
        if lit is None:
            text = self.text[span[0]:span[1]]
            if text.startswith(("'", '"')):
                return  # map['key']
            x = self._name("i")
            self._edit(span[0], span[0], "list_extract(list_transform([")
            self._edit(span[1], span[1], f"], {x} -> CASE WHEN {x} < 0 THEN {x} ELSE {x} + 1 END), 1)")
        elif lit >= 0:
            self._edit(span[0], span[1], str(lit + 1))

    def _int_literal(self, expr, ast) -> int | None:
        text = self._src(expr).replace(" ", "")
        try:
            return int(text)
        except ValueError:
            return None

    def _slice(self, node, ast) -> None:
        bounds = []
        for b in (node.start, node.end):
            if b is None:
                bounds.append(None)
                continue
            lit = self._int_literal(b, ast)
            if lit is None or lit < 0:
                raise UnsupportedCypher(
                    f"list slice [{self._src(node.start) or ''}..{self._src(node.end) or ''}]: only non-negative whole "
                    "numbers are translated (the engines count from different ends); slice with literal bounds")
            bounds.append((b, lit))
        base_end = self._span(node.base)[1]
        open_i = self._tok_after(base_end)
        close_i = self._closing(open_i)
        start = bounds[0][1] + 1 if bounds[0] else 1
        end = bounds[1][1] if bounds[1] else int(_BIG)
        if bounds[1] and end < start:
            start, end = 1, 0  # empty on Neo4j; Ladybug's [1:0] is empty too
        self._edit(self.tokens[open_i].start, self.tokens[close_i].end + 1, f"[{start}:{end}]")

    def _date_base(self, base, ast, names: list[str]) -> bool:
        """Whether ``base.names[0]...`` is a date (a date property, date(...), or a non-pattern variable)."""
        if names and names[0] in self.onto.properties:
            return self.onto.properties[names[0]].kind == "date" and len(names) == 1
        if isinstance(base, ast.DatetimeValueExpression):
            return not names
        if isinstance(base, ast.BindingVariableReference) and not names:
            return base.binding_variable.name in self.date_vars
        return False

    def _is_date_expression(self, expr, ast) -> bool:
        """A date property, date(...), or min/max/coalesce of them (not a list of dates)."""
        found = False
        for n in expr.dfs():
            if isinstance(n, ast.PropertyReference):
                names = [p.identifier.name for p in n.property_name]
                if not (len(names) == 1 and names[0] in self.onto.properties
                        and self.onto.properties[names[0]].kind == "date"):
                    return False
                found = True
            elif isinstance(n, ast.DatetimeValueExpression):
                found = True
            elif isinstance(n, (ast.ListValueExpression, ast.Labels)):
                return False
        text = self._src(expr).lower().replace(" ", "")
        return found and not any(f in text for f in ("collect(", "[", "size(", "count("))

    def _check_property(self, name: str, where: str) -> None:
        """Ladybug matches property names in any case, Neo4j exactly (n.NAME is null there)."""
        if name in self.onto.properties:
            return
        lower = {p.lower(): p for p in self.onto.properties}
        if name.lower() in lower:
            raise UnsupportedCypher(f"property {name} of {where} does not exist (property names are case-sensitive "
                                    f"on Neo4j); write {lower[name.lower()]}")
        close = difflib.get_close_matches(name, list(self.onto.properties), n=3)
        raise UnsupportedCypher(f"unknown property {name} of {where}" + (f"; did you mean {', '.join(close)}?" if close else "")
                                + " (`govplat schema CLASS` lists a class's properties)")

    def _check_property_reference(self, node, ast) -> None:
        base = node.property_source
        if isinstance(base, ast.BindingVariableReference):
            var = base.binding_variable.name
            if var in self.node_vars or var in self.rel_vars:
                self._check_property(node.property_name[0].identifier.name, var)

    def _property(self, node, ast) -> None:
        names = [p.identifier.name for p in node.property_name]
        if len(names) < 1:
            return
        last = names[-1]
        parts = _data()["date_parts"]
        base = node.property_source
        if not self._date_base(base, ast, names[:-1]):
            return
        if last not in parts:
            if last.lower() in {"week", "dayofweek", "ordinalday", "dayofquarter", "weekyear", "epochdays",
                                 "hour", "minute", "second"}:
                raise UnsupportedCypher(f"date component .{last} is not translated; use .year, .month, .day or .quarter")
            return
        base_span = self._span(base)
        # The chain base.prop...part: find the tokens from the base to the part's name.
        part_tok = next(i for i in range(self._tok_after(base_span[1]), len(self.tokens))
                        if self.tokens[i].text == last)
        self._edit(base_span[0], base_span[0], f"date_part('{parts[last]}', ")
        dot = part_tok - 1
        self._edit(self.tokens[dot].start, self.tokens[part_tok].end + 1, ")")

    def _comparison(self, node, ast) -> None:
        """A date compared with a string: Neo4j answers null (no row), Ladybug compares. Refuse."""
        left = node.comparison_predicand
        right = node.comparison_predicate_part_2.comparison_predicand

        def is_date(e) -> bool:
            for n in e.dfs():
                if isinstance(n, ast.PropertyReference):
                    names = [p.identifier.name for p in n.property_name]
                    return len(names) == 1 and names[0] in self.onto.properties and \
                        self.onto.properties[names[0]].kind == "date"
                if isinstance(n, ast.DatetimeValueExpression):
                    return True
            return False

        def is_string(e) -> bool:
            return self._src(e).strip().startswith(("'", '"'))

        if (is_date(left) and is_string(right)) or (is_string(left) and is_date(right)):
            raise UnsupportedCypher(
                f"{self._src(node)}: a date compared with a string gives no rows on Neo4j; "
                "compare with date('YYYY-MM-DD')")

    def _procedure(self, node, ast) -> None:
        call = node.procedure_call
        if not hasattr(call, "procedure_reference"):
            raise UnsupportedCypher("CALL { ... } subqueries are not available on the embedded store; "
                                    "use OPTIONAL MATCH ... WITH ... or EXISTS { MATCH ... }")
        ref = self._src(call.procedure_reference).replace(" ", "")
        procs = _data()["procedures"]
        if ref.lower() not in procs:
            raise UnsupportedCypher(
                f"procedure {ref} is not available on the embedded store; it answers {_procedures_offered()}, "
                "and `govplat schema` shows classes, relationship pairs and properties")
        if self.store is None:
            raise UnsupportedCypher(f"{ref}() needs the store's catalogue")
        from graph.schema import catalogue

        values = catalogue(self.store)[ref.lower()]
        column = procs[ref.lower()]
        alias = column
        yielded = call.yield_clause
        listed = "[" + ", ".join(f"'{v}'" for v in values) + "]"
        span = self._span(node)
        if yielded is None:
            self._edit(span[0], span[1], f"UNWIND {listed} AS {column} RETURN {column}")
            return
        items = yielded.yield_item_list.list_yield_item
        if len(items) != 1 or self._src(items[0].yield_item_name) != column:
            raise UnsupportedCypher(f"{ref}() yields one column, {column}")
        if items[0].yield_item_alias is not None:
            alias = self._src(items[0].yield_item_alias.binding_variable)
        self._edit(span[0], span[1], f"UNWIND {listed} AS {alias}")

    def _comprehension(self, node, ast) -> None:
        """[x IN xs WHERE c | e] -> list_transform(list_filter(xs, x -> c), x -> e)."""
        span = self._span(node)
        var = node.variable.name
        src = self._span(node.source)
        open_t = self._tok_index(span[0])
        close_t = self._closing(open_t)
        head = "list_transform(" if node.projection is not None else ""
        head += "list_filter(" if node.where_clause is not None else ""
        if not head:
            head = "list_transform("
        self._edit(span[0], src[0], head)
        pos = src[1]
        if node.where_clause is not None:
            w = self._span(node.where_clause)
            cond = self._span(node.where_clause.search_condition)
            self._edit(pos, cond[0], f", {var} -> ")
            pos = cond[1]
            if node.projection is not None:
                proj = self._span(node.projection)
                self._edit(pos, proj[0], f"), {var} -> ")
                pos = proj[1]
            else:
                pos = max(pos, w[1])
        elif node.projection is not None:
            proj = self._span(node.projection)
            self._edit(pos, proj[0], f", {var} -> ")
            pos = proj[1]
        else:
            self._edit(pos, pos, f", {var} -> {var}")
        self._edit(pos, self.tokens[close_t].end + 1, ")")

    # -------------------------------------------------------------- functions
    def _functions(self) -> None:
        """Function names: a name token followed by '(' is an invocation in Cypher's grammar."""
        table = _data()["functions"]
        toks = self.tokens
        for i, t in enumerate(toks[:-1]):
            if toks[i + 1].text != "(":
                continue
            prev = toks[i - 1].text if i else ""
            if prev in (".", ":") or prev.upper() == "CALL":
                continue
            name = t.text.lower()
            if name in ("labels",):
                continue  # handled on the tree
            spec = table.get(name)
            if spec is None:
                continue
            if "refuse" in spec:
                raise UnsupportedCypher(spec["refuse"])
            close = self._closing(i + 1)
            nargs = self._arg_count(i + 1, close)
            if "max_args" in spec and nargs > spec["max_args"]:
                continue  # round(x, n), date('2020-01-01'): the same on both
            prefix, suffix = spec.get("wrap", ["", ""])
            if "rename" in spec:
                self._edit(t.start, t.end + 1, spec["rename"] + "(" + prefix)
                self._edit(toks[i + 1].start, toks[i + 1].end + 1, "")
            elif prefix:
                self._edit(toks[i + 1].end + 1, toks[i + 1].end + 1, prefix)
            if name == "substring":
                continue
            self._edit(toks[close].start, toks[close].start, suffix + spec.get("append", ""))
        self._substrings()

    def _arg_count(self, open_i: int, close_i: int) -> int:
        if close_i == open_i + 1:
            return 0
        depth, n = 0, 1
        for t in self.tokens[open_i + 1:close_i]:
            if t.text in ("(", "[", "{"):
                depth += 1
            elif t.text in (")", "]", "}"):
                depth -= 1
            elif t.text == "," and depth == 0:
                n += 1
        return n

    def _substrings(self) -> None:
        """substring(s, start[, length]): Neo4j counts from 0, Ladybug from 1 and needs a length."""
        toks = self.tokens
        for i, t in enumerate(toks[:-1]):
            if t.text.lower() != "substring" or toks[i + 1].text != "(":
                continue
            close = self._closing(i + 1)
            commas, depth = [], 0
            for j in range(i + 2, close):
                x = toks[j].text
                if x in ("(", "[", "{"):
                    depth += 1
                elif x in (")", "]", "}"):
                    depth -= 1
                elif x == "," and depth == 0:
                    commas.append(j)
            if not commas:
                raise UnsupportedCypher("substring() needs a start position")
            start_from = toks[commas[0] + 1].start
            start_to = toks[(commas[1] if len(commas) > 1 else close) - 1].end + 1
            self._edit(start_from, start_from, "(")
            self._edit(start_to, start_to, ") + 1")
            if len(commas) == 1:
                self._edit(toks[close].start, toks[close].start, ", " + _BIG)

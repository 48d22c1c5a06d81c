"""Who is on whose side: a state with its forces, officials and government; people with the group they lead or serve.

The graph says so with side links the text states (``kg:forcesOf``, ``kg:memberOf``, ``kg:leads``): "Russian
forces" ``kg:forcesOf`` Russia, a minister ``kg:memberOf`` a government. Each agent has one *side*: follow its
link to the agent it acts for, and that agent's, to an agent that acts for nobody; that agent names the side.
A person who defected is on the side of the agent they defected to (the latest such defection); a group whose
members defect keeps its own side. Without links every agent is its own side, as before sides existed.

When an agent has several links, the best supported wins (then ``leads`` before ``forcesOf`` before
``memberOf``, then the first by label); a cycle of links names the side after its first member by label.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from kg.analysis.common import Row, cache, prepared, ref
from kg.rdf.namespace import LINKS

__all__ = ["home_side", "side_of", "sides"]

#: Preference between links of the same support: leading a side binds closer than being its force or member.
_LINK_RANK = {"leads": 0, "forcesOf": 1, "memberOf": 2}
assert set(_LINK_RANK) == set(LINKS)


def _link_parents(G: nx.MultiDiGraph) -> dict[str, str]:
    """agent -> the agent its best link says it acts for."""
    keys, _ = prepared(G)
    found: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for s, rel, o in G.graph.get("links", ()):
        if s != o:
            found[s][rel, o] += 1

    def rank(item: tuple[tuple[str, str], int]) -> tuple[int, int, tuple[str, str]]:
        (rel, o), n = item
        return (-n, _LINK_RANK.get(rel, 9), keys.get(o, (o, o)))

    return {s: min(options.items(), key=rank)[0][1] for s, options in found.items()}


def _defected_to(G: nx.MultiDiGraph) -> dict[str, str]:
    """person -> the agent of their latest defection (undated ones count as latest; ties by label)."""
    keys, edges = prepared(G)
    best: dict[str, tuple[tuple[bool, str], tuple[str, str], str]] = {}
    for u, v, d in edges.get("defectsTo", ()):
        if u == v or G.nodes[u].get("type") != "Person":
            continue
        statements = d.get("statements") or ()
        when = max(((s.when is None, s.when or "") for s in statements), default=(True, ""))
        rank = (when, keys.get(v, (v, v)), v)
        if u not in best or rank[:2] > best[u][:2]:
            best[u] = rank
    return {u: r[2] for u, r in best.items()}


def _roots(G: nx.MultiDiGraph, parents: dict[str, str]) -> dict[str, str]:
    """Every agent in ``parents`` (either end) -> the end of its chain of parents."""
    keys, _ = prepared(G)
    root: dict[str, str] = {}
    for start in sorted(set(parents) | set(parents.values())):
        if start in root:
            continue
        chain: list[str] = []
        seen: set[str] = set()
        n = start
        while n in parents and n not in seen and n not in root:
            seen.add(n)
            chain.append(n)
            n = parents[n]
        if n in root:
            end = root[n]
        elif n in seen:  # a cycle: the side is named after its first member by label
            cycle = chain[chain.index(n) :]
            end = min(cycle, key=lambda x: keys.get(x, (x, x)))
            for x in cycle:
                root[x] = end
        else:
            end = n
            root[n] = n
        for x in chain:
            root.setdefault(x, end)
    return root


def sides(G: nx.MultiDiGraph) -> dict[str, str]:
    """agent IRI -> the IRI of the agent that names its side, for every agent with a link or a defection.

    Agents missing from the result are their own side (:func:`side_of` says so).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("ru", "GPE"), ("forces", "Group"), ("officials", "Group"), ("p", "Person"), ("g", "Group")):
    ...     G.add_node(n, label=n, type=t)
    >>> G.graph["links"] = (("forces", "forcesOf", "ru"), ("officials", "memberOf", "ru"), ("p", "memberOf", "ru"))
    >>> _ = G.add_edge("p", "g", key="defectsTo", assertions=1, documents=1, times=())
    >>> s = sides(G)
    >>> s["forces"], s["officials"], s["ru"], s["p"]
    ('ru', 'ru', 'ru', 'g')
    """
    shared = cache(G)
    if shared is not None and "sides" in shared:
        return dict(shared["sides"])
    parents = _link_parents(G)
    parents.update(_defected_to(G))
    out = _roots(G, parents)
    if shared is not None:
        shared["sides"] = out
    return dict(out)


def side_of(G: nx.MultiDiGraph, agent: str, table: dict[str, str] | None = None) -> str:
    """The IRI naming ``agent``'s side (``table`` from :func:`sides`, computed when not given)."""
    return (sides(G) if table is None else table).get(agent, agent)


def home_side(G: nx.MultiDiGraph, agent: str, table: dict[str, str] | None = None) -> str | None:
    """The side ``agent`` belonged to by its links alone, before any defection; ``None`` when no link says.

    A group (or state) is its own home side when it has no link; a person with no link has no known home
    side: nothing in the graph says whom they served.
    """
    table = sides(G) if table is None else table
    shared = cache(G)
    parents = shared.get("link_parents") if shared is not None else None
    if parents is None:
        parents = _link_parents(G)
        if shared is not None:
            shared["link_parents"] = parents
    parent = parents.get(agent)
    if parent is None:
        return None if G.nodes[agent].get("type") == "Person" else table.get(agent, agent)
    return table.get(parent, parent)


def side_ref(G: nx.MultiDiGraph, side: str, members: list[str] | None = None) -> Row:
    """A side as a row: the agent naming it, and (when given) the members that acted in it."""
    row = ref(G, side)
    if members is not None:
        row["agents"] = [ref(G, m) for m in members]
    return row

"""Structural analysis of a kg graph with NetworkX, one module per question people ask.

=================================  ===================================================================
question                           where
=================================  ===================================================================
who holds X on date D?             :mod:`kg.analysis.control` (:func:`who_holds`, :func:`control_map`)
who is on whose side?              :mod:`kg.analysis.sides` (:func:`sides`)
where is the fighting?             :mod:`kg.analysis.fronts` (:func:`fronts`)
who is losing people to whom?      :mod:`kg.analysis.defections` (:func:`defection_flows`)
who advises whom?                  :mod:`kg.analysis.advice` (:func:`advisory_network`)
who is central, who brokers?       :mod:`kg.analysis.centrality` (:func:`centrality`)
which sides stand together?        :mod:`kg.analysis.blocs` (:func:`blocs`)
how big is the graph?              :mod:`kg.analysis.summary` (:func:`summary`)
how do two entities connect?       :mod:`kg.analysis.paths` (:func:`shortest_connection`)
what happened to a place, when?    :mod:`kg.analysis.timeline` (:func:`place_timelines`)
=================================  ===================================================================

Everything reads one projection of the RDF graph, made by :func:`project` (from a graph) or
:func:`project_file` (streamed from a file, as ``kg analyze`` does), documented in
:mod:`kg.analysis.projection`, so every measure agrees on what a node, an edge and a statement are;
:func:`as_of` cuts it to a date. :func:`report` runs every section and :func:`render` prints the result
as a text table, Markdown or JSON (:mod:`kg.analysis.report`). Each section returns plain, JSON-ready
data. The names below are the package's public interface; import them from ``kg.analysis``.
"""

from __future__ import annotations

from kg.analysis.advice import advisory_network
from kg.analysis.blocs import LOUVAIN_THRESHOLD, blocs
from kg.analysis.centrality import BETWEENNESS_BUDGET, BETWEENNESS_EXACT_MAX, betweenness, centrality, pagerank
from kg.analysis.common import DIGITS, shared
from kg.analysis.control import control_history, control_map, holders_of, who_holds
from kg.analysis.defections import defection_flows
from kg.analysis.fronts import fronts
from kg.analysis.paths import FORMATS, find_entity, render_path, shortest_connection
from kg.analysis.projection import Statement, as_of, check_date, project, project_file
from kg.analysis.report import SECTIONS, render, report
from kg.analysis.sides import home_side, side_of, sides
from kg.analysis.summary import summary
from kg.analysis.timeline import place_timelines

__all__ = [
    "BETWEENNESS_BUDGET",
    "BETWEENNESS_EXACT_MAX",
    "DIGITS",
    "FORMATS",
    "LOUVAIN_THRESHOLD",
    "SECTIONS",
    "Statement",
    "advisory_network",
    "as_of",
    "betweenness",
    "blocs",
    "centrality",
    "check_date",
    "control_history",
    "control_map",
    "defection_flows",
    "find_entity",
    "fronts",
    "holders_of",
    "home_side",
    "pagerank",
    "place_timelines",
    "project",
    "project_file",
    "render",
    "render_path",
    "report",
    "shared",
    "shortest_connection",
    "side_of",
    "sides",
    "summary",
    "who_holds",
]

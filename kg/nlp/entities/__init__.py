"""Entity resolution: which entity every mention in a document refers to, as a series of small passes.

``resolve_entities(doc)`` returns an :class:`EntityIndex`: the document's entities (``kg.model.Entity``), the
entity every referring token stands for, links between entities (a state's forces, a leader's followers) and
candidates for unnamed actors. Relation finding (``kg.nlp.relations``) reads only this index.

The passes run in this order over one shared :class:`~kg.nlp.entities.table.Table`, each in its own module
with its own tests (``tests/test_entities.py``):

1. ``names``        proper names: NER spans cleaned, names the NER missed or cut short, numbered units,
                    regions, acronyms, gazetteer places, the dateline's city;
2. ``merging``      names become entities; spellings, short forms, acronyms and plurals of one entity join it,
                    under hard constraints (never a person with a group, never two differently named
                    organisations);
3. ``states``       a state, its forces and its institutions ("British troops", "the Malian police");
4. ``members``      members stand for their group ("Hamas fighters"); a person's followers are a group of
                    their own ("X's loyalists"); "X-backed militias" are one group;
5. ``descriptions`` "the rebels", "the group", "the army", "a coalition called X";
6. ``places``       "the city", "the capital", "the peninsula", "the town of X";
7. ``pronouns``     they, he, it and their possessives (then "their troops" takes their owner);
8. ``unnamed``      actors and places the text names only by a phrase ("armed men"), as candidates;
9. ``index``        canonical keys and the index.

The grammatical relations every pass reads come from the normalisation layer, ``kg.nlp.enhanced``.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kg.nlp.enhanced import DepGraph
from kg.nlp.entities import (
    descriptions,
    index,
    members,
    merging,
    names,
    places,
    pronouns,
    states,
    unnamed,
)
from kg.nlp.entities.index import EntityIndex, IndexedSpan
from kg.nlp.entities.lexicon import EntityLexicon, State, load_entity_lexicon, parse_entity_lexicon
from kg.nlp.entities.table import KINDS, Table
from kg.nlp.gazetteer import Gazetteer, load_gazetteer

__all__ = [
    "KINDS",
    "EntityIndex",
    "EntityLexicon",
    "IndexedSpan",
    "State",
    "load_entity_lexicon",
    "parse_entity_lexicon",
    "resolve_entities",
]


def resolve_entities(
    doc: Doc,
    lexicon: EntityLexicon | None = None,
    gazetteer: Gazetteer | None = None,
    graph: DepGraph | None = None,
) -> EntityIndex:
    """Resolve every reference to an entity in ``doc`` (see the module docstring for the passes)."""
    t = Table(doc, graph or DepGraph(doc), lexicon or load_entity_lexicon(), gazetteer or load_gazetteer())
    names.run(t)
    merging.run(t)
    members.backed_groups(t)
    states.run(t)
    members.run(t)
    descriptions.run(t)
    places.run(t)
    pronouns.run(t)
    members.resolve_possessives(t)
    members.named_followers(t)
    candidates = unnamed.run(t)
    return index.build(t, candidates)

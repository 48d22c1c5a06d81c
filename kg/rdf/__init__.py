"""RDF side of kg: the ontology namespace, loading ``ontology/``, mapping, stores and serialisation."""

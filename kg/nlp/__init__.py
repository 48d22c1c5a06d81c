"""NLP side of kg: the spaCy pipeline and our extraction components."""

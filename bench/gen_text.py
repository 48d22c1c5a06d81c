"""A deterministic generator of entity-dense news-like text, at any size, about invented places and people.

Scale measurements need long texts where nearly every sentence names several people, armed groups, towns and
countries and states a relation between them -- the worst case for entity resolution and relation finding,
which grow with the number of mentions. Every name is made up from syllables (no corpus text is quoted), the
text comes in paragraphs of a few sentences, and the same arguments give the same text.

    >>> text = generate(2_000, seed=1)
    >>> len(text) >= 2_000 and text == generate(2_000, seed=1)
    True
    >>> text.count("\\n\\n") > 0
    True
"""

from __future__ import annotations

import random

_SYLLABLES = ("ka", "ra", "mo", "shi", "dan", "bel", "tor", "vi", "lun", "az", "em", "qu", "sar", "nik", "ol", "ben")
_GROUP_NOUNS = ("Front", "Brigade", "Movement", "Army", "Guard", "Alliance")
_TOWN_ENDS = ("abad", "grad", "ston", "pur", "ville", "kand")
_TEMPLATES = (
    "{group} fighters captured {town} on Tuesday after a week of fighting with the {group2}.",
    "{person}, a commander of the {group}, said his men had advanced on {town2}.",
    "The {group2} took control of {town} and {town2}, residents said.",
    "Officers of the {group} defected to the {group2} near {town}, according to {person}.",
    "Advisers from {country} trained the {group} in {town2} last month.",
    "{person} denied that the {group} had lost {town} to the {group2}.",
    "Troops loyal to {person2} pushed towards {town} as the {group} withdrew from {town2}.",
    "The government of {country} said the {group2} still held {town}.",
)


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()


def names(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Invented names by kind; ``count`` of each."""
    return {
        "person": [f"{_word(rng, 2)} {_word(rng, 3)}" for _ in range(count)],
        "group": [f"{_word(rng, 2)} {rng.choice(_GROUP_NOUNS)}" for _ in range(count)],
        "town": [_word(rng, 2) + rng.choice(_TOWN_ENDS) for _ in range(count)],
        "country": [_word(rng, 2) + "ia" for _ in range(max(count // 8, 2))],
    }


def generate(chars: int, seed: int = 0, distinct: int = 0) -> str:
    """At least ``chars`` characters of entity-dense text in paragraphs of 3-6 sentences.

    ``distinct`` names of each kind are drawn from (default: one per 400 characters, at least 40), so longer
    texts also name more different entities, as a long report does.
    """
    rng = random.Random(seed)
    pool = names(rng, distinct or max(chars // 400, 40))
    out: list[str] = []
    size = 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            template = rng.choice(_TEMPLATES)
            sentences.append(
                template.format(
                    person=rng.choice(pool["person"]),
                    person2=rng.choice(pool["person"]),
                    group=rng.choice(pool["group"]),
                    group2=rng.choice(pool["group"]),
                    town=rng.choice(pool["town"]),
                    town2=rng.choice(pool["town"]),
                    country=rng.choice(pool["country"]),
                )
            )
        paragraph = " ".join(sentences)
        out.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(out) + "\n"

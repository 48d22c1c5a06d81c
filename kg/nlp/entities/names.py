"""Pass 1, names: every proper-name span of the text, with votes for its type.

Sources, each a small function below:

- the NER's spans, cleaned (no leading "the", no title such as "Dr" or "General", cut at commas, "and",
  a spaced dash or a lower-case preposition), with nationality adjectives ("Malian") set aside as demonyms
  and a backer's adjective ("Iranian" of "Iranian-backed") set aside as no mention at all;
- nationality adjectives the NER missed, and "the Battle of X" (X is a place);
- runs of proper nouns the NER missed or cut short that end in a word that names their kind ("Donetsk Oblast",
  "the Kurdistan Regional Council"), and numbered units ("4th Guards Brigade", "3rd Battalion, 12th Rifles");
- "northern Mali", "southern and central Angola": a country's region, a Place of its own;
- "Long Name (LN)": a capitalised phrase before a bracketed acronym;
- names joined by a hyphen and a short particle ("Jaish-e Adl") or an inner "'s" ("Ra's Tanura");
- places the gazetteer knows in a country the text mentions (or big cities), which the NER missed;
- "the X district", "X province", "the village of X": a region or settlement named by a lower-case place noun;
- a dateline's city, kept so that "the capital" can mean it later (the dateline itself yields no mention).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Span, Token

from kg.nlp.entities.table import NameSpan, Table, cap_word

#: NER labels that can name an entity, and the type each votes for.
NER_TYPES = {"PERSON": "Person", "ORG": "Group", "NORP": "Group", "GPE": "GPE", "LOC": "Place", "FAC": "Place"}
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$", re.I)
_ORDINAL_WORDS = frozenset(
    {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
     "twelfth"}
)  # fmt: skip
#: Particles of names in Romance languages, which English texts keep: "Forces Armées du X", "Régiment de Y".
_ROMANCE = frozenset({"de", "du", "des", "della", "del", "di", "da", "dos", "das", "le", "la"})
_SPEECH = frozenset({"say", "tell", "announce", "stress", "add", "confirm", "claim", "insist", "deny"})
_OPENING_BRACKET = frozenset({"("})
_SMALL = frozenset({"of", "the", "for", "and", "de", "al", "el", "la", "le", "du", "des", "del", "di", "von", "van"})


def run(t: Table) -> None:
    found = _ner_names(t)
    found = _missed_acronyms(t, found)
    _missed_demonyms(t, found)
    found = _state_factions(t, found)
    found = _compass_regions(t, found)
    found = _bracketed_names(t, found)
    found = _proper_runs(t, found)
    found = _long_organisations(t, found)
    found = _numbered_units(t, found)
    found = _hyphenated(t, found)
    found = _described_persons(t, found)
    found = _joined(t, found)
    found = _inner_possessive(t, found)
    found = _gazetteer_places(t, found)
    found = _region_names(t, found)
    found = [n for n in found if not _title_before_name(t, n)]
    _dateline_place(t, found)
    _votes(t, found)
    _lists_of_places(t, found)
    found.sort(key=lambda n: (n.start, n.end))
    t.names = found


def _title_before_name(t: Table, n: NameSpan) -> bool:
    """ "Freedonia's Chancellor", "Ruritanian President" before "Anna Berg": a title and its country, not a name
    (the person named next is the entity)."""
    toks = t.toks
    if n.end - n.start < 2 or n.end >= len(toks) or not t.is_title(toks[n.end - 1]):
        return False
    nxt = toks[n.end]
    return cap_word(nxt.text) and nxt.is_alpha and bool(toks[n.end - 1].whitespace_)


# --------------------------------------------------------------------------------------------- NER
def backs(t: Table, end: int) -> bool:
    """Whether a name ending before token ``end`` is the first part of "X-led", "X-backed", "X-trained"."""
    toks = t.toks
    return (
        end + 1 < len(toks)
        and toks[end].text == "-"
        and not toks[end - 1].whitespace_
        and not toks[end].whitespace_
        and toks[end + 1].lower_ in t.lex.words("backing_participles")
    )


def _clean_ner(t: Table, ent: Span) -> list[tuple[int, int, str]]:
    """Cut an NER span into clean name spans: no leading article or title, split at commas/"and"/a spaced dash."""
    toks = t.toks
    start, end, label = ent.start, ent.end, ent.label_
    while end > start and (toks[end - 1].is_punct or toks[end - 1].is_space or toks[end - 1].tag_ == "POS"):
        end -= 1
    while start < end and (toks[start].lower_ == "the" or toks[start].is_space or toks[start].is_punct):
        start += 1
    if label in ("ORG", "NORP"):
        while end - start > 1 and toks[start].lower_ in t.lex.words("descriptor_adjectives"):
            start += 1  # "Salafist Nour Front": the creed is no part of the name
    title = ""
    if label in ("PERSON", "ORG") and t.lex.type_heads.get(toks[end - 1].lower_, "Person") == "Person":
        # (but "Foreign Office", "Interior Ministry": a title word before an institution is part of its name)
        t0 = start
        while start < end - 1 and t.is_title(toks[start]):
            start += 1
        if start > t0:
            title = t.surface(t0, start)
    if any(toks[i].lower_ == "of" for i in range(start, end)):
        for k in range(end, start + 2, -1):
            if toks[k - 1].is_alpha and t.lex.state_by_name(t.surface(start, k)) is not None:
                return [(start, k, title)]  # "Democratic Republic of Timor-Leste": one name, "of" and all
    pieces: list[tuple[int, int, str]] = []
    cur = start
    for i in range(start, end):
        x = toks[i]
        spaced_dash = x.text in ("-", "\u2013", "\u2014", "--") and (
            bool(x.whitespace_) or (i > 0 and bool(toks[i - 1].whitespace_))
        )
        # a lower-case verb or adverb is no part of a name: "the X Front ruled Y", "later Y", "retook Y"
        verb = x.is_lower and x.is_alpha and (x.pos_ in ("VERB", "AUX", "ADV") or x.tag_.startswith("VB"))
        if x.text == "," or x.dep_ == "cc" or x.is_space or spaced_dash or (x.pos_ == "ADP" and x.is_lower) or verb:
            if x.pos_ == "ADP" and x.lower_ == "of" and _of_inside_name(t, i, end):
                continue  # "the Armed Forces of Liberia", "Council of Ministers"
            if i > cur:
                pieces.append((cur, i, title))
            cur = i + 1
            if x.pos_ == "ADP":
                break
    else:
        if end > cur:
            pieces.append((cur, end, title))
    lone = t.lex.words_of("group_nouns", "member_nouns")
    return [p for p in pieces if p[1] - p[0] > 1 or t.toks[p[0]].lower_ not in lone]


def _of_inside_name(t: Table, i: int, end: int) -> bool:
    """An "of" between capitalised words of one NER span whose first part ends in a word naming a kind of
    organisation or state ("Armed Forces of X", "Ministry of Defence", "Democratic Republic of X") stays inside
    the name."""
    before = t.toks[i - 1] if i > 0 else None
    after = [x for x in t.toks[i + 1 : end] if x.lower_ != "the"]
    return (
        before is not None
        and bool(after)
        and cap_word(before.text)
        and all(cap_word(x.text) for x in after)
        and before.lower_ in t.lex.type_heads
    )


def _name_ok(t: Table, start: int, end: int, label: str) -> bool:
    toks = t.toks[start:end]
    if not cap_word(toks[0].text):
        return False
    # (a first word all letters is a letter of the text: the text is sliced only when it is not)
    if not toks[0].is_alpha and not any(ch.isalpha() for ch in t.surface(start, end)):
        return False
    if t.is_title(toks[0]) and all(t.is_title(x) for x in toks):  # (most names start with no title)
        return False
    if toks[-1].lower_ in t.lex.words("skip_heads"):
        return False
    if toks[-1].like_num or _ORDINAL.match(toks[-1].text):
        return False  # "Northland 4th" of "Northland 4th and 7th brigades": a number ends no name
    if end - start == 1 and (
        toks[0].lower_ in t.lex.type_heads
        or t.lex.is_group_noun(toks[0].lower_)
        or toks[0].lower_ in t.lex.words("government_words")
    ):
        return False  # "HQ", "Army", "State" (of "Secretary of State"): a word for a kind of thing is no name alone
    if end - start == 1:
        x = toks[0]
        if label in ("PERSON", "ORG", "GPE", "LOC", "FAC") and x.tag_ not in ("NNP", "NNPS"):
            # "Kassala" tagged as a plural noun is still a city; a capitalised word the text never writes in
            # lower case is still a name ("Kestrel instructors")
            word = x.lower_ not in t.lower_words and not t.lex.is_group_noun(x.lower_) and x.is_alpha
            if t.known_place(x.text) is None and not word:
                return False
            if x.i in t.sent_starts and x.pos_ in ("ADJ", "ADV", "VERB", "NOUN") and t.known_place(x.text) is None:
                return False  # "Jubilant crowds ...", "Videos show ...": a sentence's first word is capitalised anyway
        if label == "ORG" and end < len(t.toks) and t.is_title(t.toks[end]):
            return False  # "Defence" of "Defence Secretary"
        if _heading(t, x) and t.known_place(x.text) is None:
            return False  # "Background", "Aftermath": a section heading, capitalised as any heading is
    return True


def _heading(t: Table, x: Token) -> bool:
    """A word alone on its line that the text writes nowhere else: a section heading, not a name it uses."""
    a, b = x.idx, x.idx + len(x.text)
    alone = (a == 0 or t.text[a - 1] == "\n") and (b == len(t.text) or t.text[b] in "\r\n")
    return alone and sum(1 for y in t.toks if y.text == x.text) == 1


def _ner_names(t: Table) -> list[NameSpan]:
    lex = t.lex
    toks = t.toks
    found: list[NameSpan] = []
    for ent in t.doc.ents:
        label = ent.label_  # (read once: spaCy looks the string up on every access)
        if label in ("EVENT", "WORK_OF_ART"):
            ofs = [x.i for x in ent if x.lower_ == "of"]  # "the Battle of X": X is a place
            if ofs and ofs[0] + 1 < ent.end:
                s, e = ofs[0] + 1, ent.end
                while e > s and not toks[e - 1].is_alpha:
                    e -= 1
                if e > s and cap_word(toks[s].text):
                    found.append(NameSpan(s, e, t.surface(s, e), Counter({"GPE": 3}), "GPE"))
            continue
        if label not in NER_TYPES:
            continue
        for s, e, title in _clean_ner(t, ent):
            if not _name_ok(t, s, e, label):
                continue
            text = t.surface(s, e)
            if label == "NORP" and e == ent.end:
                # "Islamic State" where the NER took only "Islamic": proper nouns it left out finish the name
                stop = e
                while (
                    stop < len(toks)
                    and toks[stop].tag_ in ("NNP", "NNPS")
                    and not toks[stop].ent_type_
                    and cap_word(toks[stop].text)
                    and toks[stop].is_alpha
                ):
                    stop += 1
                if stop > e:
                    demonym = lex.state_by_adjective(text)
                    if demonym is not None and lex.state_by_name(text) is None and _group_follows(t, e, stop):
                        # "Lebanese Druze fighters": a nationality before the group's own name, not part of it
                        _set_demonym(t, s, e)
                        found.append(NameSpan(e, stop, t.surface(e, stop), Counter({"Group": 2}), "ORG"))
                    else:
                        found.append(NameSpan(s, stop, t.surface(s, stop), Counter({"Group": 2}), "ORG"))
                    continue
            if label == "NORP" or (label in ("ORG", "GPE", "LOC", "PERSON") and e - s == 1):
                st = lex.state_by_adjective(text)
                if st is not None and lex.state_by_name(text) is None:
                    if backs(t, e):
                        for i in range(s, e):
                            t.backer_at[i] = st  # "Iranian-trained": says nothing of the text's country
                    else:
                        _set_demonym(t, s, e)
                    continue
            if label == "NORP" and toks[e - 1].tag_ not in ("NNP", "NNPS"):
                continue  # "Islamic", "Druze": a description, not a name
            votes: Counter[str] = Counter({NER_TYPES[label]: 1})
            if not title and s > 0 and t.is_title(toks[s - 1]) and label in ("PERSON", "ORG"):
                title = toks[s - 1].text
            if title:
                votes["Person"] += 3
            found.append(NameSpan(s, e, text, votes, label, title))
            st = lex.state_by_name(text)
            if st is not None:
                t.note_state(st, count=not backs(t, e), at=s)
            elif label == "GPE":
                g = t.gaz.lookup(text)
                if g and g[0].is_country:
                    t.countries.add(g[0].country)
    return found


def _missed_acronyms(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "an organisation known as LDTF": a word in capitals the NER missed is an organisation's acronym, unless
    it is a state's, a word for a kind of thing ("HQ"), or the text is in capitals anyway."""
    covered = {i for n in found for i in range(n.start, n.end)}
    for x in [x for x in t.toks if x.is_upper]:
        if x.i in covered or not (x.is_alpha and x.is_upper and 2 <= len(x.text) <= 6) or t.title_case(x.i):
            continue
        low = x.lower_
        if t.lex.state_by_name(x.text) or t.lex.state_by_adjective(x.text) or low in t.lex.type_heads:
            continue
        if low in t.lower_words or t.is_title(x) or t.in_dateline(x.i) or low in t.lex.words("place_part_nouns"):
            continue
        sent = t.sents[t.sent_of[x.i]]
        if sum(1 for y in sent if y.is_alpha and y.is_upper) > len(sent) // 2:
            continue  # a line in capitals
        found.append(NameSpan(x.i, x.i + 1, x.text, Counter({"Group": 1}), "ORG"))
    return found


def _group_follows(t: Table, e: int, stop: int) -> bool:
    nxt = t.toks[stop] if stop < len(t.toks) else None
    lex = t.lex
    return (
        nxt is not None
        and nxt.is_lower
        and lex.is_group_noun(nxt.lower_)
        and not any(lex.is_group_noun(t.toks[k].lower_) for k in range(e, stop))
    )


def _set_demonym(t: Table, s: int, e: int) -> None:
    st = t.lex.state_by_adjective(t.surface(s, e))
    if st is None:
        return
    for i in range(s, e):
        t.demonym_at[i] = st
    t.note_state(st, at=s)


def _missed_demonyms(t: Table, found: list[NameSpan]) -> None:
    """Nationality adjectives the NER missed ("KYIV - Ukrainian forces ..."): the lexicon knows them."""
    in_name = {i for n in found for i in range(n.start, n.end)}
    for x in [x for x in t.toks if not x.ent_type_ and cap_word(x.text)]:
        i = x.i
        if i in in_name or i in t.demonym_at or i in t.backer_at or x.ent_type_ or not cap_word(x.text):
            continue
        if x.pos_ not in ("ADJ", "PROPN", "NOUN") or t.lex.state_by_name(x.text) is not None:
            continue
        st = t.lex.state_by_adjective(x.text)
        if st is None:
            continue
        if backs(t, i + 1):
            t.backer_at[i] = st
            continue
        t.demonym_at[i] = st
        t.note_state(st, at=i)


# ------------------------------------------------------------------------------------- regions, runs
def _state_factions(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "Vichy France", "Free France", "Royalist Ruritania": a capitalised adjective the text uses on its own
    elsewhere, before a state's name, names a side or regime of that state, not the state."""
    out: list[NameSpan] = []
    for n in found:
        st = t.lex.state_by_name(n.text)
        adj = t.toks[n.start - 1] if n.start > 0 else None
        if (
            st is None
            or adj is None
            or not adj.text[:1].isupper()
            or not adj.is_alpha
            or adj.i in t.demonym_at
            or adj.lower_ in t.lex.words("compass_words")
            or t.is_title(adj)
            or adj.i in t.sent_starts
            or not any(x.lower_ in (adj.lower_, adj.lower_ + "s") and x.i != adj.i for x in t.toks)
        ):
            out.append(n)
            continue
        out.append(NameSpan(adj.i, n.end, t.surface(adj.i, n.end), Counter({"GPE": 3}), "GPE"))
    return out


def _compass_regions(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "northern Mali", "southern and central Angola": a region of a country, a Place of its own."""
    compass = t.lex.words("compass_words")
    out: list[NameSpan] = []
    for n in found:
        place = t.lex.state_by_name(n.text) is not None or (n.label in ("GPE", "LOC") and not _settlement(t, n.text))
        if n.start == 0 or not place:
            out.append(n)
            continue
        j = n.start
        while j - 1 >= 0:
            x = t.toks[j - 1]
            if x.is_lower and (
                x.lower_ in compass or (x.dep_ == "cc" and j - 2 >= 0 and t.toks[j - 2].lower_ in compass)
            ):
                j -= 1
                continue
            if x.text == "," and j - 2 >= 0 and t.toks[j - 2].lower_ in compass:
                j -= 1
                continue
            break
        while j < n.start and t.toks[j].lower_ not in compass:
            j += 1
        if j == n.start:
            out.append(n)
            continue
        region = t.surface(j, n.start) + " " + n.text
        out.append(NameSpan(j, n.end, region, Counter({"Place": 5}), "LOC"))
        st = t.lex.state_by_name(n.text)
        if st is not None:
            t.note_state(st, at=j)
    return out


def _settlement(t: Table, name: str) -> bool:
    """A town or city the gazetteer knows: its quarters ("eastern Kassala") are still the city."""
    place = t.geo_best(name)
    return place is not None and not place.is_country


def _proper_runs(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """Runs of capitalised proper nouns the NER missed or cut short, ending in a word that names their kind:
    "Donetsk Oblast", "the Kurdistan Regional Council", "Northern Command Council", "the Valdian Gendarmerie"."""
    heads = t.lex.type_heads
    units = t.lex.words_of("unit_nouns", "institution_heads")
    force_units = t.lex.words_of("force_words", "unit_nouns", "institution_heads")
    covered = {i: n for n in found for i in range(n.start, n.end)}
    toks = t.toks
    out = list(found)
    after = 0  # where the last run looked at ends
    for i in [k for k, word in enumerate(t.name_words) if word]:  # (a run starts at a word of a name)
        if i < after:
            continue
        j = i
        while j < len(toks) and (t.name_words[j] or _name_joint(t, j)):
            j += 1
        while j > i and not toks[j - 1].is_alpha:
            j -= 1
        last = toks[j - 1] if j > i else None
        kind = heads.get(last.lower_) if last is not None else None
        if last is None or j - i < 2 or (kind is None and last.lower_ not in units):
            after = max(j, i + 1)
            continue
        parts = {id(covered[k]): covered[k] for k in range(i, j) if k in covered}
        if any(p.start < i or p.end > j for p in parts.values()):
            after = j  # overlaps a name that reaches outside the run: leave it to the NER
            continue
        if t.title_case(i):
            after = j  # a headline in title case capitalises every word
            continue
        state_first = i in t.demonym_at or t.lex.state_by_name(toks[i].text) is not None
        if state_first and all(y.lower_ in force_units for y in toks[i + 1 : j]):
            after = j  # "Malian Army", "US Special Forces": a state's forces, read by the states pass
            continue
        while i < j and (toks[i].i in t.demonym_at or t.is_title(toks[i])) and j - i > 2:
            i += 1
        for p in parts.values():
            out.remove(p)
        votes = Counter({kind or "Group": 4})
        out.append(NameSpan(i, j, t.surface(i, j), votes, "ORG" if (kind or "Group") == "Group" else "LOC"))
        after = j
    return out


def _long_organisations(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "the Front for the Liberation of X", "National Union for the Total Independence of X", "Movement for
    Democracy and Justice": a group's name runs on through "for"/"of"/"and" and capitalised words after a word
    naming a kind of group; the NER cuts such names short or reads their last word as a place."""
    toks = t.toks
    heads = t.lex.type_heads
    out = list(found)
    for h in range(len(toks) - 2):
        if heads.get(toks[h].lower_) != "Group" or not t.caps[h] or toks[h + 1].lower_ not in ("for", "of"):
            continue
        if t.title_case(h):
            continue  # a headline in title case capitalises every word
        end = _name_tail(t, h + 1)
        if end is None:
            continue
        start = h
        while start > 0 and t.name_words[start - 1]:
            start -= 1
        inside = [n for n in out if n.start < end and n.end > start]
        if any(n.start < start or n.end > end for n in inside):
            continue  # overlaps a name that reaches outside: leave it as it is
        for n in inside:
            out.remove(n)
        out.append(NameSpan(start, end, t.surface(start, end), Counter({"Group": 4}), "ORG"))
    return out


def _name_tail(t: Table, i: int) -> int | None:
    """End of the "for the X of Y and Z" part of a name starting at token ``i``, or ``None``."""
    toks = t.toks
    end = None
    while i < len(toks) and toks[i].lower_ in ("for", "of", "and"):
        j = i + 1
        if toks[i].lower_ != "and" and j < len(toks) and toks[j].lower_ == "the":
            j += 1
        k = j
        while k < len(toks) and t.caps[k] and toks[k].tag_ in ("NNP", "NNPS", "JJ", "NN", "NNS"):
            k += 1
        if k == j:
            break
        end = i = k
    return end


def _name_joint(t: Table, i: int) -> bool:
    """Whether token ``i`` joins the parts of one name: the hyphen and particle of "Tahrir al-Sham", or "of"."""
    toks = t.toks
    x = toks[i]
    if i == 0 or i + 1 >= len(toks):
        return False
    if x.lower_ in ("of", "for") and cap_word(toks[i + 1].text) and toks[i + 1].tag_ in ("NNP", "NNPS"):
        return t.lex.type_heads.get(toks[i - 1].lower_) is not None
    if x.whitespace_:
        return False
    if x.text == "-":
        return not toks[i - 1].whitespace_
    return x.is_alpha and x.is_lower and len(x) <= 3 and toks[i + 1].text == "-"


def _ordinal(x: Token) -> bool:
    # (the pattern only for a word that starts with a digit: every token is asked)
    return (x.text[:1].isdigit() and _ORDINAL.match(x.text) is not None) or x.lower_ in _ORDINAL_WORDS


def _numbered_units(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "4th Guards Brigade", "the 3rd Battalion, 12th Rifles", "101st Airborne Division": a numbered unit is a
    name of its own (a comma-joined parent unit stays part of it)."""
    units = t.lex.words("unit_nouns")
    toks = t.toks
    out = list(found)
    after = 0  # where the last unit found ends
    # (a unit starts with an ordinal: a number, or a word for one)
    for i in [x.i for x in toks if x.text[:1].isdigit() or x.lower_ in _ORDINAL_WORDS]:
        if i < after or not _ordinal(toks[i]):
            continue
        j = i + 1
        last_unit = -1
        while j < len(toks) and toks[j].is_alpha and cap_word(toks[j].text):
            if toks[j].lower_ in units:
                last_unit = j  # "4th Infantry Division": the name ends at its last unit word
            j += 1
        if last_unit < 0:
            continue
        end = last_unit + 1
        # "3rd Battalion, 12th Rifles": the unit it belongs to, comma-joined
        if end + 2 < len(toks) and toks[end].text == "," and _ordinal(toks[end + 1]):
            k = end + 2
            while k < len(toks) and toks[k].is_alpha and cap_word(toks[k].text):
                k += 1
            if k > end + 2 and toks[k - 1].lower_ in units:
                end = k
        inside = [n for n in out if n.start < end and n.end > i]
        if any(n.start < i and n.end > i for n in inside):
            after = end
            continue
        for n in inside:
            out.remove(n)
        out.append(NameSpan(i, end, t.surface(i, end), Counter({"Group": 6}), "ORG"))
        after = end
    return out


def _bracketed_names(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "March 23 Movement (M23)": a capitalised phrase before a bracketed acronym is a name."""
    toks = t.toks
    lex = t.lex
    for x in t.tokens_in(_OPENING_BRACKET):
        if x.text != "(" or x.i + 2 >= len(toks) or toks[x.i + 2].text != ")" or x.i == 0:
            continue
        acro = toks[x.i + 1].text
        if not (acro.isupper() or re.fullmatch(r"[A-Z][A-Za-z]*\d+[A-Za-z]*", acro)) or len(acro) > 8:
            continue
        j = x.i
        while j - 1 >= 0 and (
            (toks[j - 1].is_title or toks[j - 1].is_upper or toks[j - 1].like_num)
            or ((toks[j - 1].lower_ in _SMALL or toks[j - 1].lower_ in ("in", "on")) and j < x.i)
            or (toks[j - 1].text in ("-", "'", "\u2019") and not toks[j - 1].whitespace_)
            or (toks[j - 1].text == "," and j - 2 >= 0 and toks[j - 2].is_title and toks[j].is_title)
        ):
            j -= 1
        while j < x.i and (
            toks[j].lower_ in _SMALL or toks[j].lower_ in ("in", "on") or toks[j].like_num or not toks[j].is_alpha
        ):
            j += 1  # ("in"/"on" join the words of a name, but start none: "groups in the X Army (XA)")
        for k in range(j + 1, x.i - 1):  # "Rebels of the X (Y)": the members are not part of the name
            if toks[k].lower_ == "of" and toks[k - 1].lower_ in lex.words("member_nouns"):
                j = k + 1
                while j < x.i and toks[j].lower_ == "the":
                    j += 1
        while j < x.i and (toks[j].i in t.demonym_at or t.is_title(toks[j])) and x.i - j > 2:
            j += 1  # "Mali's President X (Y)": not part of the name
        if x.i - j < 2 or not (toks[x.i - 1].is_title or toks[x.i - 1].text in (".",)):
            continue
        if any(n.start < x.i and n.end > j and (n.start < j or n.end > x.i) for n in found):
            continue
        found = [n for n in found if not (n.start >= j and n.end <= x.i)]
        end = x.i
        while end > j and not toks[end - 1].is_alpha:
            end -= 1
        found.append(NameSpan(j, end, t.surface(j, end), Counter({"Group": 1}), "ORG"))
    return found


def _described_persons(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "Omar Sidi, a commander of the X, ...": capitalised words the NER missed, set off by an apposition whose
    head is a role noun, are a person's name."""
    roles = t.lex.words("role_nouns")
    covered = {i for n in found for i in range(n.start, n.end)}
    out = list(found)
    for x in t.toks:
        if x.i in covered or not t.name_words[x.i] or x.i + 1 >= len(t.toks) or t.toks[x.i + 1].text != ",":
            continue
        role = [c for c in x.children if c.dep_ == "appos" and c.lower_ in roles and c.tag_ == "NN"]
        if not role or any(c.i in covered for c in role):
            continue
        i = x.i
        while i - 1 >= 0 and t.name_words[i - 1] and i - 1 not in covered:
            i -= 1
        while i < x.i and t.is_title(t.toks[i]):
            i += 1
        if x.i - i < 1:
            continue  # one word is as likely a place or a group ("Lobo, a stronghold")
        out.append(NameSpan(i, x.i + 1, t.surface(i, x.i + 1), Counter({"Person": 4}), "PERSON"))
        covered.update(range(i, x.i + 1))
    return out


def _hyphenated(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "Jund-al-Haqq", "Harakat-ul-Nasr": capitalised words joined by hyphens and a short particle, written
    without spaces, are a name even when the NER saw nothing (no English word is written so)."""
    toks = t.toks
    covered = {i for n in found for i in range(n.start, n.end)}
    out = list(found)
    for x in toks:
        i = x.i
        if i in covered or not t.name_words[x.i]:
            continue
        if i > 0 and toks[i - 1].text == "-" and not toks[i - 1].whitespace_:
            continue  # inside a longer chain
        j = i + 1
        while (
            j + 3 < len(toks)
            and toks[j].text == "-"
            and not toks[j - 1].whitespace_
            and not toks[j].whitespace_
            and toks[j + 1].is_alpha
            and toks[j + 1].is_lower
            and len(toks[j + 1]) <= 3
            and toks[j + 2].text == "-"
            and not toks[j + 1].whitespace_
            and not toks[j + 2].whitespace_
            and cap_word(toks[j + 3].text)
            and toks[j + 3].is_alpha
        ):
            j += 4
        if j == i + 1 or any(k in covered for k in range(i, j)):
            continue
        out.append(NameSpan(i, j, t.surface(i, j), Counter(), "ORG"))
        covered.update(range(i, j))
    return out


def _joined(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "Harakat-e Inqilab", "Jaish-e Adl", "Dar es-Salaam": parts joined by a hyphen and a short particle are one
    name, also when the NER took only the first part."""
    toks = t.toks
    covered = {i for n in found for i in range(n.start, n.end)}
    for n in found:
        e = n.end
        while (
            e + 2 < len(toks)
            and toks[e].is_alpha
            and toks[e].is_lower
            and len(toks[e]) <= 3
            and toks[e + 1].text == "-"
            and not toks[e + 1].whitespace_
            and cap_word(toks[e + 2].text)
            and e + 2 not in covered
        ):
            e += 3
        if e > n.end:
            n.end, n.text = e, t.surface(n.start, e)
        b = n.start
        if b >= 2 and _particle(toks[b]) and _joint(toks, b - 1) and cap_word(toks[b - 2].text):
            b -= 2  # the NER's span began at the particle: "e Qahar" of "Jaish-e Qahar"
        while b >= 3 and _particle(toks[b - 1]) and _joint(toks, b - 2) and cap_word(toks[b - 3].text):
            if any(k in covered for k in range(b - 3, b)):
                break
            b -= 3  # the NER took only the last part: "Qahar" of "Jaish-e Qahar"
        if b < n.start:
            n.start, n.text = b, t.surface(b, n.end)
    found.sort(key=lambda n: n.start)
    joined: list[NameSpan] = []
    for n in found:
        prev = joined[-1] if joined else None
        gap = t.toks[prev.end : n.start] if prev is not None else []
        hyphen = prev is not None and bool(gap) and gap[0].text == "-" and not t.toks[prev.end - 1].whitespace_
        particle = len(gap) == 1 and gap[0].lower_ in _ROMANCE  # "Bataillon de marche du Nord"
        if (
            prev is not None
            and 0 < len(gap) <= 2
            and (hyphen or particle)
            and all(g.text == "-" or (g.is_alpha and g.is_lower and len(g) <= 3) for g in gap)
        ):
            joined[-1] = NameSpan(prev.start, n.end, t.surface(prev.start, n.end), prev.votes + n.votes, prev.label)
        else:
            joined.append(n)
    return joined


def _particle(x: Token) -> bool:
    """A short lower-case particle of a joined name ("e", "i", "ul", "al")."""
    return x.is_alpha and x.is_lower and len(x) <= 3


def _joint(toks: Sequence[Token], k: int) -> bool:
    """Whether ``toks[k]`` is a hyphen written against the word before it ("Jaish-e")."""
    return toks[k].text == "-" and not toks[k - 1].whitespace_ and not toks[k].whitespace_


def _inner_possessive(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "Ra's Tanura": a name with an inner "'s" that the NER splits (the first part never stands alone);
    "the X People's Liberation Army": an organisation's name with an inner possessive, where the part before it
    is no place or person of its own."""
    found = _possessive_organisations(t, found)
    toks = t.toks
    texts = Counter(x.text for x in toks)
    possessives = [x for x in toks if x.tag_ == "POS"]
    before_pos = Counter(toks[x.i - 1].text for x in possessives if x.i > 0)
    for x in possessives:
        if x.tag_ != "POS" or x.i == 0 or x.i + 1 >= len(toks):
            continue
        a, b = toks[x.i - 1], toks[x.i + 1]
        if not (a.is_alpha and b.is_alpha and cap_word(a.text) and cap_word(b.text) and b.pos_ == "PROPN"):
            continue
        if texts[a.text] != before_pos[a.text]:
            continue
        nxt = toks[b.i + 1] if b.i + 1 < len(toks) else None
        if a.whitespace_ or (nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.is_lower):
            continue
        s, e = a.i, b.i + 1
        parts = [n for n in found if n.start < e and n.end > s]
        if not parts or any(n.start < s or n.end > e for n in parts):
            continue
        for n in parts:
            found.remove(n)
        found.append(NameSpan(s, e, t.surface(s, e), Counter({"GPE": 1}), "GPE"))
    return found


def _possessive_organisations(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    toks = t.toks
    found.sort(key=lambda n: n.start)
    after = 0  # where the last name made here ends
    for x in [x for x in toks if x.tag_ == "POS"]:  # (the passes below start at a possessive "'s")
        i = x.i
        if i < after or i == 0 or i + 1 >= len(toks) or toks[i - 1].whitespace_:
            continue
        left = [n for n in found if n.end == i]
        j = i + 1
        while j < len(toks) and cap_word(toks[j].text) and toks[j].is_alpha and not t.is_title(toks[j]):
            j += 1
        if j == i + 1:
            continue
        k = i - 1  # start of the capitalised words before "'s"
        while k - 1 >= 0 and cap_word(toks[k - 1].text) and toks[k - 1].is_alpha and not t.is_title(toks[k - 1]):
            k -= 1
        start = left[0].start if left else k
        before = t.surface(start, i)
        last = toks[j - 1].lower_
        ends_kind = (
            t.lex.type_heads.get(last) == "Group" or last in t.lex.words("member_nouns") or (toks[j - 1].tag_ == "NNPS")
        )
        possessor = (
            t.lex.state_by_name(before) is not None
            or t.known_place(before) is not None
            or (any(n.label == "PERSON" for n in left) and " " in before)
        )
        if not ends_kind or possessor or toks[i - 1].lower_ not in t.lex.words("collective_possessors"):
            continue
        inside = [n for n in found if n.start < j and n.end > start]
        if any(n.start < start for n in inside):
            continue
        for n in inside:
            found.remove(n)
        found.append(NameSpan(start, j, t.surface(start, j), Counter({"Group": 5}), "ORG"))
        after = j
    return found


def _place_cue(t: Table, start: int, end: int) -> int:
    """Votes for "place" from the words around a name: "the Battle of X", "N miles north of X", "in X",
    "entered X"."""
    toks = t.toks
    before = [x.lower_ for x in toks[max(0, start - 3) : start]]
    for n, cues in t.lex.place_cue_sets:
        if n <= len(before) and tuple(before[-n:]) in cues:
            return 3
    after = [x.lower_ for x in toks[end : end + 6]]
    if len(after) >= 4 and after[0] == ",":
        rest = after[1:]
        if rest and rest[0] in ("about", "some", "around", "roughly", "nearly", "just"):
            rest = rest[1:]
        if (
            len(rest) >= 3
            and (rest[0][:1].isdigit() or toks[end + 1].like_num)
            and rest[1] in t.lex.words("distance_units")
        ):
            return 3
    if before and before[-1] in ("in", "at", "into", "near", "towards", "toward", "outside"):
        return 1
    last = toks[end - 1]
    if (
        last.dep_ == "dobj"
        and last.ent_type_ != "PERSON"  # people are captured too
        and t.graph.lemmas[last.head.i] in t.lex.words("place_object_verbs")
    ):
        return 2  # "entered X", "captured X"
    return 0


def _gazetteer_places(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """Places the NER missed or split ("Bandar-e-Anzali", "Hue") that the gazetteer knows in a country the
    text mentions, or that are big cities, or that stand after a place cue."""
    toks = t.toks
    covered = {i for n in found for i in range(n.start, n.end)}
    caps = t.caps
    starts = {n.start for n in found}
    # boundaries strictly inside a name: a run [i, e) overlaps a name that reaches outside it exactly when i or e
    # is one (kept as a set, rebuilt when ``found`` changes, rather than scanning ``found`` for every run)
    crossed = _inner_boundaries(found)
    after = 0  # where the last place found ends
    for i in [k for k, cap in enumerate(caps) if cap]:  # (a place starts with a capitalised word)
        x = toks[i]
        if i < after or x.i in t.demonym_at or (i in covered and i not in starts):
            continue
        hit = None
        stop = i + 1
        # (a space token ends the run: it is neither a capitalised word, a hyphen or apostrophe, nor lower case)
        while stop < min(len(toks), i + 7):
            y = toks[stop]
            if not (caps[stop] or y.text in ("-", "'", "\u2019") or (y.is_lower and len(y) <= 3)):
                break
            stop += 1
        for e in range(stop, i, -1):
            if not caps[e - 1]:
                continue
            if i in crossed or e in crossed:
                continue  # a name reaching outside the run: leave it
            if e - i == 1 and (x.tag_ not in ("NNP", "NNPS") or t.is_title(x)):
                continue
            if e - i == 1 and i in t.sent_starts and x.lower_ in t.lower_words:
                continue
            text = t.surface(i, e)
            place = t.geo_best(text)
            if place is not None and (
                place.is_country or place.country in t.countries or t.big_city(text, place) or _place_cue(t, i, e) > 0
            ):
                hit = e
                break
        if hit is None:
            continue
        parts = [n for n in found if n.start >= i and n.end <= hit]
        if len(parts) == 1 and (parts[0].start, parts[0].end) == (i, hit):
            covered.update(range(i, hit))  # the NER's own span: its vote comes from _votes
            after = hit
            continue
        for n in parts:  # "Bandar-e-Anzali" where the NER saw only a person "Anzali"
            found.remove(n)
        found.append(NameSpan(i, hit, t.surface(i, hit), Counter({"GPE": 2}), "GPE"))
        crossed = _inner_boundaries(found)
        covered.update(range(i, hit))
        after = hit
    return found


def _inner_boundaries(found: list[NameSpan]) -> set[int]:
    """Token boundaries strictly inside one of the names."""
    return {b for n in found for b in range(n.start + 1, n.end)}


def _region_names(t: Table, found: list[NameSpan]) -> list[NameSpan]:
    """ "the X district", "X province", "the X region": the name and its lower-case region noun are one Place,
    distinct from a city X. "X, a township near ...", "the village of X": a proper noun named as a settlement."""
    toks = t.toks
    lex = t.lex
    regions = lex.words("region_heads")
    for h in t.tokens_in(regions):
        if h.lower_ not in regions or not h.is_lower or h.pos_ != "NOUN" or h.i == 0:
            continue
        j = h.i
        while j - 1 >= 0:
            x = toks[j - 1]
            name_like = x.is_alpha and cap_word(x.text) and not t.is_title(x)
            inner = x.text == "-" and j - 2 >= 0 and not x.whitespace_ and cap_word(toks[j - 2].text)
            if not (name_like or inner) or x.i in t.demonym_at or x.i in t.backer_at:
                break
            if x.i in t.sent_starts and x.pos_ != "PROPN" and x.ent_type_ == "":
                break  # "Fighting district": a capital only because the sentence starts there
            j -= 1
        while j < h.i and not toks[j].is_alpha:
            j += 1
        if j == h.i or lex.state_by_name(t.surface(j, h.i)) is not None:
            continue
        of_obj = [a.dep for a in t.graph.deps(h.i, "prep:of")]
        if (
            of_obj
            and toks[of_obj[0]].pos_ == "PROPN"
            and t.geo_best(t.surface(j, h.i))
            and not t.geo_best(toks[of_obj[0]].text)
        ):
            continue  # "the X suburb of Y" is Y (but "the Y district of X" is the district)
        if any(n.start < j <= n.end - 1 < h.i or (n.start < h.i < n.end) for n in found):
            continue
        found = [n for n in found if not (n.start >= j and n.end <= h.i + 1)]
        found.append(NameSpan(j, h.i + 1, t.surface(j, h.i + 1), Counter({"Place": 6}), "LOC"))
    covered = {i for n in found for i in range(n.start, n.end)}
    for h in t.tokens_in(lex.city_nouns | regions):
        if not (h.lower_ in lex.city_nouns or h.lower_ in regions) or not h.is_lower or h.pos_ != "NOUN":
            continue
        named = [toks[a.head] for a in t.graph.heads(h.i, "appos") if a.head < h.i and not a.why]
        named += [toks[a.dep] for a in t.graph.deps(h.i, "prep:of") if not a.why]
        for g in named:
            t.called.setdefault(g.i, h.lower_)
            if g.i in covered:
                for n in found:  # "the suburb of X" with X tagged PERSON: still a place
                    if n.start <= g.i < n.end and n.label in ("PERSON", "ORG"):
                        n.votes["GPE"] += 3
                continue
            if g.pos_ != "PROPN" or not cap_word(g.text) or g.i in t.demonym_at:
                continue
            if g.lower_ in lex.type_heads or lex.is_group_noun(g.lower_) or g.lower_ in lex.words("place_part_nouns"):
                continue  # "the territory of the navy HQ": a word for a kind of place names none
            j = g.i
            while j - 1 >= 0 and toks[j - 1].pos_ == "PROPN" and cap_word(toks[j - 1].text) and j - 1 not in covered:
                j -= 1
            if t.is_title(toks[j]) or j in t.sent_starts:
                continue
            found.append(NameSpan(j, g.i + 1, t.surface(j, g.i + 1), Counter({"GPE": 3}), "GPE"))
            covered.update(range(j, g.i + 1))
    return found


def _dateline_place(t: Table, found: list[NameSpan]) -> None:
    """ "BAMAKO (Reuters) -" where the NER saw no name: the gazetteer's city is still the story's city that
    "the capital" or "the city" may mean (the dateline itself gives no mention). A large city's country counts
    as a country the text names, so its towns are read as that country's and its army is the bare "army"."""
    span = t.dateline
    if span is None:
        return
    place: list[Token] = []
    for x in t.toks:
        if x.idx < span[0]:
            continue
        if x.idx >= span[1] or not (x.is_alpha and cap_word(x.text)):
            break
        place.append(x)
    if not place:
        return
    s, e = place[0].i, place[-1].i + 1
    text = t.surface(s, e)
    geo = t.geo_best(text)
    if geo is None:
        return
    # the largest city of that name, whatever countries the text names later ("BOGOTA" is not a US hamlet)
    city = next((p for p in t.gaz.lookup(text) if not p.is_country), None)
    home = t.lex.state_by_code(city.country) if city is not None and t.big_city(text, city) else None
    if home is not None:
        t.note_state(home)  # "BOGOTA, Oct. 3 -": a story filed from a country's city is about that country first
    if not any(n.start <= s < n.end for n in found):
        found.append(NameSpan(s, e, text, Counter({"GPE": 3}), "GPE"))


def _votes(t: Table, found: list[NameSpan]) -> None:
    heads = t.lex.type_heads
    for n in found:
        n.votes["GPE"] += _place_cue(t, n.start, n.end)
        if n.label in ("ORG", "PERSON", "NORP", "GPE", "LOC", "FAC") and t.known_place(n.text) is not None:
            n.votes["GPE"] += 2  # a city the NER tagged as an organisation or a person is still a city
        last = t.toks[n.end - 1]
        if last.lower_ not in heads:
            # "Democratic Republic of X", "Arab Army of Y", "Plain of Z": the head is the word before "of"
            of = next((i for i in range(n.start + 1, n.end - 1) if t.toks[i].lower_ == "of"), None)
            last = t.toks[of - 1] if of is not None else last
        if last.lower_ in heads and n.end - n.start > 1:
            n.votes[heads[last.lower_]] += 5
        elif last.tag_ == "NNPS" and n.end - n.start > 1 and t.known_place(n.text) is None:
            n.votes["Group"] += 2  # "Hill Tamils", "Bosnian Croats": a people, not a person
        if last.dep_ == "nsubj" and last.head.lemma_ in _SPEECH and n.label == "PERSON" and n.votes["GPE"] < 2:
            n.votes["Person"] += 2


def _lists_of_places(t: Table, found: list[NameSpan]) -> None:
    """ "captured Lobo, Kira and Tembe": one-word names coordinated with a place are places too, unless more
    than the NER's guess says otherwise (a title, the gazetteer)."""
    by_tok = {i: n for n in found for i in range(n.start, n.end)}
    for n in found:
        if n.title or t.known_place(n.text) is not None or n.votes["GPE"] >= 2:
            continue
        head = t.toks[n.end - 1]
        group = {head.i, *(c.i for c in head.conjuncts)}
        others = [by_tok[i] for i in group if i in by_tok and by_tok[i] is not n]
        placed = [o for o in others if t.known_place(o.text) is not None or o.label in ("GPE", "LOC")]
        if placed and n.end - n.start == 1 and n.label == "PERSON":
            n.votes["GPE"] = max(n.votes["GPE"], n.votes["Person"], n.votes["Group"]) + 2

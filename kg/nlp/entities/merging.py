"""Pass 2, merging names: the name spans of pass 1 become entities, and the spellings of one entity join it.

- one entity per name (folded spelling), one per state whatever the spelling ("US", "United States");
- "Malian Army", "Nigerian Special Forces": a state's name or adjective followed only by force words is that
  state's forces (a group of its own, tied to the state);
- a name the NER tagged once is the same name where it missed it ("ADF fighters" after "ADF");
- "Kerr" joins "Alan Kerr" (people), "Bandar" joins "Bandar-e-Anzali" (places), when exactly one full name
  fits; a short form never joins a name of another kind (a leader is not the movement named after him);
- "the Houthis" and "Houthi rebels": a name and its plural are one group;
- "March 23 Movement (M23)" and initials ("ADF" after "Allied Democratic Forces"): one entity; a bracketed
  name right after a name is another name for it.

Every merge goes through :meth:`Table.merge` after :meth:`Table.can_merge`, so two organisations with
different names never become one because they share a word.
"""

from __future__ import annotations

import re

from kg.nlp.entities.lexicon import State
from kg.nlp.entities.table import Cluster, NameSpan, Table, cap_word
from kg.nlp.gazetteer import fold


def run(t: Table) -> None:
    for n in t.names:
        _cluster(t, n)
    _propagate(t)
    _plurals(t)
    _short_forms(t)
    _acronyms(t)
    _bracketed(t)
    _relative_evidence(t)
    _regions(t)


def _regions(t: Table) -> None:
    """ "Eastland's Valdia region" and "Valdia", "the Valdian peninsula" and "Valdia": a region named with its
    region noun, or by the adjective of its name, is the place of that name (not when that name is a city:
    "the Kassala governorate" is not Kassala)."""
    regions = t.lex.words("region_heads")
    for c in t.live():
        if c.kind != "name":
            continue
        for n in list(c.names):
            words = n.split()
            if len(words) == 1 and len(c.names) == 1:
                other = place_of_adjective(t, n)  # "Valdian" alone: the adjective of a place, no name of its own
            elif len(words) >= 2 and words[-1] in regions:
                bare = " ".join(words[:-1])
                if _city(t, bare):
                    continue  # "the Kassala governorate" is not the city
                uid = t.by_key.get(fold(bare))
                other = t.get(uid) if uid is not None else None
                if other is None or other is t.get(c.uid):
                    other = place_of_adjective(t, bare)
            else:
                continue
            if other is None or other is t.get(c.uid) or other.kind != "name" or not t.can_merge(other, c):
                continue
            merged = t.merge(other, c)
            merged.votes["Place"] += 3
            break


def _city(t: Table, name: str) -> bool:
    place = t.geo_best(name)
    return place is not None and not place.is_country


def place_of_adjective(t: Table, word: str) -> Cluster | None:
    """The place the text names whose adjective ``word`` is ("Valdian" -> the cluster named "Valdia")."""
    if " " in word or not word[:1].isupper() or len(word) < 5 or t.lex.state_by_adjective(word) is not None:
        return None
    low = fold(word)
    for suffix in sorted(t.lex.words("demonym_suffixes"), key=len, reverse=True):
        if not low.endswith(suffix):
            continue
        stem = low[: -len(suffix)]
        if len(stem) < 4:
            continue
        for c in t.live():
            if (
                c.kind == "name"
                and c.place_like
                and any(fold(n).startswith(stem) and len(fold(n)) - len(stem) <= 2 and fold(n) != low for n in c.names)
            ):
                return c
    return None


def _relative_evidence(t: Table) -> None:
    """ "X, which has used ...": a name that takes "which" is no person."""
    for _s, e, uid, kind in t.spans:
        if kind != "name":
            continue
        head = t.toks[e - 1]
        for ch in head.children:
            if ch.dep_ == "relcl" and any(w.lower_ == "which" and w.i < ch.i for w in ch.children):
                c = t.get(uid)
                if c.votes["Person"] > 0 and not c.titled:
                    c.votes["Person"] = 0


def forces_of(t: Table, n: NameSpan) -> State | None:
    """The state whose armed forces a name like "Malian Army" or "Nigerian Special Forces" names."""
    toks = t.toks[n.start : n.end]
    if len(toks) < 2 or toks[-1].lower_ not in t.lex.words("force_heads"):
        return None
    for k in range(1, min(4, len(toks))):
        prefix = t.surface(n.start, n.start + k)
        st = t.lex.state_by_adjective(prefix) or t.lex.state_by_name(prefix)
        if st is not None and all(x.lower_ in t.lex.words("force_words") for x in toks[k:]):
            return st
    return None


def _cluster(t: Table, n: NameSpan) -> None:
    lex = t.lex
    forces = forces_of(t, n)
    if forces is not None:
        army = t.toks[n.end - 1].lower_ == "army" and t.services_named(forces)
        c = t.institution_cluster(forces, "army") if army else t.forces_cluster(forces)
        if army:
            t.link(c, "forcesOf", t.state_cluster(forces))
        c.aliases.add(n.text)
        t.mention(c, n.start, n.end, "nationality")
        for i in range(n.start, n.end):
            t.name_at[i] = c.uid
        return
    st = lex.state_by_name(n.text)
    key = ("state:" + st.names[0]) if st is not None else fold(n.text)
    uid = t.by_key.get(key)
    if uid is not None:
        c = t.get(uid)
    elif st is not None:
        c = t.state_cluster(st)
    else:
        c = t.new("name")
        t.by_key[key] = c.uid
    c.names[n.text] += 1
    c.aliases.add(n.text)
    if n.title:
        c.aliases.add(f"{n.title} {n.text}")
        c.titled = True
    last = t.toks[n.end - 1]
    if n.end - n.start > 1 and last.is_lower and last.lower_ in lex.words("region_heads"):
        bare = t.surface(n.start, n.end - 1)
        if t.geo_best(bare) is None and fold(bare) not in t.by_key:
            c.aliases.add(bare)  # "the X district" is also just "X", unless a city X exists
    c.votes.update(n.votes)
    c.strong = c.strong or any(v >= 2 for v in n.votes.values())
    described = _described(t, n)
    if described:
        c.aliases.add(described)  # "the newly formed X", "ultra-radical Xs": the text's own description
    t.mention(c, n.start, n.end, "name")
    for i in range(n.start, n.end):
        t.name_at[i] = c.uid


def _described(t: Table, n: NameSpan) -> str:
    """The name with the lower-case words that describe it in its phrase ("newly formed X"), if any."""
    head = t.toks[n.end - 1]
    if head.head.i != head.i and head.dep_ in ("compound", "amod") and head.head.i > head.i:
        return ""  # the name modifies another noun
    if head.dep_ == "poss":
        return ""  # "the whole X's plan": the words before an owner describe what it owns
    i = n.start
    while i - 1 >= 0:
        x = t.toks[i - 1]
        if x.head.i < n.start or x.head.i >= n.end or not (x.is_lower or x.text == "-"):
            break
        if x.dep_ not in ("amod", "compound", "punct") or x.pos_ in ("DET", "NUM", "PRON", "ADV"):
            break
        i -= 1
    while i < n.start and (t.toks[i].text == "-" or _cut_off(t, i)):
        i += 1  # "so-called X", "army-dominated X", "newly formed X": never "called X" or "formed X"
    return t.surface(i, n.end) if i < n.start else ""


def _cut_off(t: Table, i: int) -> bool:
    """The description would start inside a word's own phrase: after its hyphen ("US-backed") or without the
    adverb that modifies it ("newly" of "newly formed")."""
    glued = i > 0 and t.toks[i - 1].text == "-" and not t.toks[i - 1].whitespace_
    return glued or any(c.i < i and c.dep_ in ("advmod", "npadvmod") for c in t.toks[i].lefts)


def _propagate(t: Table) -> None:
    """A name the NER tagged once is the same name where it missed it ("ADF fighters" after "ADF")."""
    toks = t.toks
    by_first: dict[str, list[tuple[list[str], Cluster]]] = {}
    for c in t.live():
        for n in c.names:
            words = n.split()
            if len(n) >= 3 and cap_word(n):
                first = re.split(r"[-'\u2019]", words[0])[0] or words[0]  # the first token of "Al-Dawla"
                by_first.setdefault(first.lower(), []).append((words, c))
    after = 0  # where the last name found ends: the next starts there or later
    for x in t.tokens_in(frozenset(by_first)):  # (only the first word of a name may start it)
        i = x.i
        if i < after:
            continue
        cands = by_first.get(toks[i].lower_) if i not in t.name_at and i not in t.demonym_at else None
        if cands and not cap_word(toks[i].text) and not _particle_start(t, i):
            cands = None  # only a particle ("al-Dawla" for "Al-Dawla") may start a name in lower case
        if not cands:
            continue
        hit = None
        for words, c in sorted(cands, key=lambda x: (-len(x[0]), x[1].uid)):
            j = i
            ok = True
            for w in words:
                if j >= len(toks) or j in t.name_at:
                    ok = False
                    break
                text = ""  # names were split on whitespace; tokens may split further ("al-Masri")
                while j < len(toks) and len(text) < len(w):
                    text += toks[j].text
                    j += 1
                if text != w and not (text.lower() == w.lower() and _particle_start(t, i)):
                    ok = False
                    break
            if ok and (j >= len(toks) or not (toks[j].is_alpha and cap_word(toks[j].text))):
                if t.in_dateline(i) or (j - i == 1 and t.title_case(i) and c.type == "Person"):
                    break
                hit = (j, c)
                break
        if hit is None:
            continue
        j, c = hit
        c = t.get(c.uid)
        t.mention(c, i, j, "name")
        c.names[t.surface(i, j)] += 1
        for k in range(i, j):
            t.name_at[k] = c.uid
        after = j


def _particle_start(t: Table, i: int) -> bool:
    """Whether token ``i`` is a lower-case name particle joined by a hyphen ("al" of "al-Dawla")."""
    x = t.toks[i]
    return x.is_lower and x.is_alpha and len(x) <= 3 and i + 2 < len(t.toks) and t.toks[i + 1].text == "-"


def _plurals(t: Table) -> None:
    """ "Houthi rebels ... the Houthis": a name and its plural are one people or group, named by the plural."""
    nouns = t.lex.words_of("member_nouns", "group_nouns")
    for key, uid in sorted(t.by_key.items()):
        c = t.get(uid)
        if ":" in key or not key.endswith("s") or c.kind != "name":
            continue
        single_uid = t.by_key.get(key[:-1])
        if single_uid is None:
            continue
        single = t.get(single_uid)
        if single is c or single.kind != "name":
            continue
        modifies = any(  # "Tuareg rebels": the singular names fighters, so it is no person
            m[1] < len(t.toks) and t.toks[m[1]].is_lower and t.toks[m[1]].lower_ in nouns for m in single.mentions
        )
        if c.type == "Person" and single.type == "Person" and not c.ties and not single.ties and not modifies:
            continue  # "Adams" and "Adam" may be two people
        if c.titled or single.titled:
            continue
        plural = max(c.names, key=lambda n: (c.names[n], n)) if c.names else None
        c = t.merge(c, single)
        c.votes["Group"] += 5
        c.strong = True
        if plural and c.forced_type is None:
            c.fixed_key = plural


def _short_forms(t: Table) -> None:
    """ "Kerr" joins "Alan Kerr", "Bandar" joins "Bandar-e-Anzali", "Oromo fighters" join "Oromo Liberation
    Front", when exactly one full name of the same kind fits."""
    lex = t.lex
    # the names of more than one word, by their first and by their last word (in order): every test below asks
    # for one of those to be the short form
    multi: dict[str, list[tuple[list[str], Cluster]]] = {}
    for c in t.live():
        for n in c.names:
            words = fold(n).split()
            if len(words) > 1:
                for end in dict.fromkeys((words[0], words[-1])):
                    multi.setdefault(end, []).append((words, c))
    nouns = lex.words("member_nouns") | lex.words("group_nouns")
    kinds = set(lex.type_heads) | lex.words("region_heads") | lex.words("place_part_nouns")
    for key, uid in sorted(t.by_key.items()):
        c = t.get(uid)
        if ":" in key or len(key.split()) != 1 or c.kind != "name":
            continue
        others = [(w, t.get(m.uid)) for w, m in multi.get(key, ()) if t.get(m.uid) is not c]
        persons = {m.uid: m for w, m in others if m.type == "Person" and key in (w[0], w[-1])}
        places = {m.uid: m for w, m in others if m.type in ("GPE", "Place") and w[0] == key and w[-1] not in kinds}
        if places and t.known_place(key) is not None:
            places = {}  # "Kassala" is a city of its own, not short for "Kassala Military Airport"
        groups = {m.uid: m for w, m in others if w[0] == key and lex.type_heads.get(w[-1]) == "Group"}
        modifies = bool(c.mentions) and all(
            m[1] < len(t.toks) and t.toks[m[1]].is_lower and t.toks[m[1]].lower_ in nouns for m in c.mentions
        )  # "Oromo fighters" after "the Oromo Liberation Front": members of that front
        kind_word = lex.type_heads.get(key) == "Group" or key in lex.words("institution_heads")
        heads = {m.uid: m for w, m in others if w[-1] == key and m.type == "Group"}
        definite = bool(c.mentions) and all(m[0] > 0 and t.toks[m[0] - 1].lower_ == "the" for m in c.mentions)
        if kind_word and definite and len(heads) == 1 and not groups:
            full = next(iter(heads.values()))  # "the Gendarmerie" after "the Valdian Gendarmerie"
            if t.can_merge(full, c):
                t.merge(full, c)
        elif len(groups) == 1 and not persons and modifies:
            full = next(iter(groups.values()))
            if t.can_merge(full, c):
                t.merge(full, c)
        elif len(persons) == 1 and c.forced_type is None and (not groups or (len(groups) == 1 and not modifies)):
            # "Hale said" after "Gen. Tom Hale" (also beside "the Hale Movement": a movement goes by its full name)
            # the person, even where the gazetteer knows a town so named
            full = t.merge(next(iter(persons.values())), c)
            full.forced_type = "Person"
        elif len(places) == 1 and c.type != "Person" and not groups:
            full = next(iter(places.values()))
            if t.can_merge(full, c):
                t.merge(full, c)


def _acronyms(t: Table) -> None:
    """ "March 23 Movement (M23)": the bracketed acronym joins the name; so do initials of a name."""
    toks = t.toks
    for _s, e, uid, kind in list(t.spans):
        if kind != "name" or e + 2 >= len(toks) or toks[e].text != "(" or toks[e + 2].text != ")":
            continue
        c = t.get(uid)
        acro = toks[e + 1]
        if not acro.is_alpha and not re.fullmatch(r"[A-Z][A-Za-z]*\d+[A-Za-z]*", acro.text):
            continue
        if not (acro.is_upper or any(ch.isdigit() for ch in acro.text)) or len(acro.text) > 8:
            continue
        other_uid = t.by_key.get(fold(acro.text))
        if other_uid is None:
            t.by_key[fold(acro.text)] = c.uid
            t.mention(c, e + 1, e + 2, "name")
            t.name_at[e + 1] = c.uid
            other = c
        else:
            other = t.get(other_uid)
        c.aliases.add(acro.text)
        c.names[acro.text] += 1
        if c.forced_type is None and c.type in ("Person", "Place") and not c.titled:
            c.votes["Group"] += 12  # people have no bracketed acronyms; organisations do (and few places)
            c.strong = True
        if t.can_merge(c, other):
            t.merge(c, other)
    initials: dict[str, Cluster] = {}
    for key, uid in sorted(t.by_key.items()):
        words = [w for w in key.split(":")[-1].split() if w not in ("of", "the", "and", "for")]
        if len(words) >= 2:
            initials.setdefault("".join(w[0] for w in words), t.get(uid))
    for key, uid in sorted(t.by_key.items()):
        c = t.get(uid)
        if ":" in key or " " in key or not any(n.isupper() for n in c.names):
            continue
        full = initials.get(key)
        if full is not None and t.get(full.uid) is not c and t.can_merge(full, c):
            t.merge(full, c)
    # "the ADF" after "Allied Democratic Forces", where the NER did not tag the initials
    for x in [x for x in toks if x.is_upper]:
        if not (x.is_upper and x.is_alpha and 2 <= len(x) <= 6) or x.i in t.name_at or x.i in t.demonym_at:
            continue
        found = initials.get(x.lower_)
        if found is None:
            continue
        full = t.get(found.uid)
        if full.type not in ("Group", "Person") or (full.first >= x.i and not full.ties):
            continue  # initials before the full name was used are someone else's
        t.mention(full, x.i, x.i + 1, "name")
        t.name_at[x.i] = full.uid
        full.aliases.add(x.text)
        full.names[x.text] += 1


def _bracketed(t: Table) -> None:
    """ "the Eastern Coalition (Popular Front)": a bracketed name right after a name is another name for it."""
    toks = t.toks
    for _s, e, uid, kind in list(t.spans):
        if kind != "name" or e >= len(toks) or toks[e].text != "(":
            continue
        close = next((x.i for x in toks[e + 1 : e + 8] if x.text == ")"), None)
        if close is None or close - e < 3:
            continue
        inner = [t.name_at.get(i) for i in range(e + 1, close)]
        if inner[0] is None or any(u is None for u in inner):
            continue
        other = t.get(inner[0])
        c = t.get(uid)
        if all(t.get(u) is other for u in inner if u is not None) and other is not c and t.can_merge(c, other):
            c.aliases |= set(other.names)
            t.merge(c, other)

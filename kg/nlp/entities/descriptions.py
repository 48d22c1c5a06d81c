"""Pass 5, descriptions: "the rebels", "the group", "the alliance", "government troops", "a coalition of
factions called X" refer to a group, in this order of evidence:

1. the text says which: an apposition ("X, the militant group that ..."), a naming verb ("a coalition of
   factions called X", "a militia known as X"), a copula ("X is a rebel group");
2. the text used the same word for a group before: a premodifier ("the opposition X"), a name's own head word
   ("the X Alliance" -> "the alliance"), a member noun ("X fighters" -> "the fighters") -- ties, within a few
   sentences unless the word is specific ("the alliance" may refer far back, "the troops" may not);
3. the side: "the rebels" is the insurgent group the text shows acting most, never one of the other side;
4. "the group", "the movement" (definite, bare): the group in focus;
5. "the army", "the security forces", "government troops": the forces of the state the text is about;
   "the government", "the regime", "the authorities": that state;
6. otherwise a side the text never names ("rebel forces") is a group of its own, one per side and country
   ("Malian rebels"), so reports of one war share it.

Indefinite phrases ("a new militia") introduce something new: they are left to the phrase candidates.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp.entities.members import record
from kg.nlp.entities.phrases import NP, is_group_head, read_np
from kg.nlp.entities.table import Cluster, Table, alias_text
from kg.nlp.gazetteer import fold

_WINDOW = 3  # sentences back that a plain description looks for the word it was tied to
_NAMING = frozenset({"call", "name", "know", "dub", "style", "label", "term", "brand"})


def run(t: Table) -> None:
    _tie_name_words(t)
    _roles(t)
    for tok in t.tokens_in(t.lex.group_heads):  # (no other word is a group head)
        if tok.i in t.ref or not is_group_head(t, tok):
            continue
        if tok.dep_ in ("compound", "amod", "nmod") and tok.head.i > tok.i and is_group_head(t, tok.head):
            continue
        np = read_np(t, tok)
        if tok.i in t.follow:  # "his own party, X": what the text says it is comes before whose it is
            said = _said(t, np)
            if said is not None:
                record(t, np, said, "apposition")
            continue
        target, kind = _resolve(t, np)
        if target is not None:
            # "Druze militants" introduce a group named by its modifier: a later bare "the militants" goes by
            # side, not to it
            record(t, np, target, kind, tie=not (kind == "description" and target.fixed_key and target.kind == "name"))


def _roles(t: Table) -> None:
    """ "a senior Malian minister ... Malian defence minister X": a singular role noun refers to the person the text
    names with that role, the next one within two sentences when it introduces them ("a minister"), the last one
    before it when it refers back ("the minister")."""
    roles = t.lex.words("role_nouns")
    titled: list[tuple[int, str, Cluster]] = []  # (token, role word, person)
    for s, e, uid, kind in t.spans:
        c = t.get(uid)
        if kind != "name" or c.type != "Person":
            continue
        words = {x.lower_ for x in t.toks[max(0, s - 4) : s] if x.head.i in range(s, e) or x.dep_ == "compound"}
        words |= {t.toks[a.dep].lower_ for i in range(s, e) for a in t.graph.deps(i, "compound", "appos")}
        for w in words & roles:
            titled.append((s, w, c))
    if not titled:
        return
    for tok in t.tokens_in(roles):
        low = tok.lower_
        if low not in roles or tok.tag_ != "NN" or tok.i in t.ref or tok.i in t.name_at:
            continue
        if tok.dep_ == "compound" and tok.head.i in t.name_at:
            continue  # "minister X": part of the name's title
        dets = {x.lower_ for x in tok.lefts if x.pos_ == "DET"}
        si = t.sent_of[tok.i]
        if dets & {"a", "an"}:
            found = [c for s, w, c in titled if w == low and s > tok.i and t.sent_of[s] <= si + 2]
            target = found[0] if found else None
        elif "the" in dets:
            found = [c for s, w, c in titled if w == low and s < tok.i and t.sent_of[s] >= si - 3]
            target = found[-1] if found else None
        else:
            continue
        if target is None:
            continue
        start = min([tok.i, *(x.i for x in tok.lefts if x.pos_ != "DET")])
        t.ref[tok.i] = target.uid
        t.mention(target, start, tok.i + 1, "description", map_tokens=False)
        alias = t.surface(start, tok.i + 1)
        if " " in alias:
            target.aliases.add(alias)


def _tie_name_words(t: Table) -> None:
    """A name's own descriptive words and its premodifiers tie them to it: "the opposition X", "X Alliance"."""
    lex = t.lex
    for s, e, uid, kind in list(t.spans):
        if kind != "name":
            continue
        c = t.get(uid)
        head = t.toks[e - 1].lower_
        state_army = head in lex.words("state_force_words") and c.kind == "name"
        if (lex.is_group_noun(head) or head in lex.sides or head in lex.words("institution_heads")) and not state_army:
            # "the alliance" after "Eastern Alliance"; "the Gendarmerie" likewise; but "the army" after "the X
            # Liberation Army" is the state's army, not the armed group named after one
            c.tie(head, s, lex.sides)
        i = s - 1
        while i >= 0 and t.toks[i].is_lower and t.toks[i].is_alpha and i not in t.name_at:
            w = t.toks[i].lower_
            if w in lex.sides or w in lex.words("group_nouns"):
                if not (w in lex.sides and t.bare_side_before(lex.sides[w], s)):
                    c.tie(w, s, lex.sides)
                t.ref.setdefault(i, c.uid)
                if not (i > 0 and t.toks[i - 1].text == "-" and not t.toks[i - 1].whitespace_):
                    c.aliases.add(t.surface(i, e))  # (but "pro-government X" is never "government X")
                for x in (t.toks[e - 1], *t.toks[e - 1].conjuncts):  # "militias X and Y": both are groups
                    other = t.name_cluster(x.i)
                    if other is not None and other.forced_type is None:
                        other.votes["Group"] += 3
                        other.strong = True
                i -= 1
                continue
            break


def _resolve(t: Table, np: NP) -> tuple[Cluster | None, str]:
    said = _said(t, np)
    if said is not None:
        return said, "apposition"
    if np.indefinite and not np.definite:
        return None, ""
    lex = t.lex
    words = np.words
    side: str | None = None
    if np.pro is not None and np.pro.lower_ in lex.words("government_words"):
        side = "incumbent"  # "pro-government militias"
    elif np.anti is not None and np.anti.lower_ in lex.words("government_words"):
        side = "insurgent"
    if side is None:  # "pro-Ethiopian separatists": the nationality names no side, the separatists do
        side = next((lex.sides[w] for w in words if w in lex.sides and w not in ("pro", "anti")), None)
    proper = [x for x in np.pre if _proper(t, x)]
    if proper and not np.definite and side is not None:
        return _side_group(t, np, side, proper), "description"  # "Druze militants" introduce a group
    target = _tied(t, words, side, np.head.i)
    if target is not None:
        return target, "description"
    head = np.head.lower_
    if not proper and head in lex.words("government_words"):
        if not np.definite:
            return None, ""
        # "the government", "the regime": the regime the text names ("the X Republic"), else the state the
        # text is about; a government is never a side group of its own
        named = _named_regime(t, np.head.i)
        if named is not None:
            return named, "description"
        ruling = _ruling_group(t, np.head.i)
        if ruling is not None:
            return ruling, "description"
        st = t.main_state(np.head.i)
        if st is not None:
            return t.state_cluster(st), "description"
        # no state named at all: the incumbent side the text speaks of ("government troops ... the regime")
        return _same_side(t, "incumbent", np.head.i), "description"
    if side is not None:
        # "Rebels entered X": a bare plural heading its own phrase brings in new people; "the rebels", "rebel-held
        # districts", "rebel positions" speak of the side in focus
        bare_plural = np.head.tag_ in ("NNS", "NNPS") and np.head.dep_ not in ("compound", "amod", "nmod", "npadvmod")
        same = _same_side(t, side, np.head.i, np.definite or bool(np.poss) or not bare_plural)
        if same is not None:
            return same, "description"
    plain = np.definite and all(x.pos_ == "DET" or (x.is_lower and x.pos_ == "ADJ") for x in np.pre)
    if side is None and head in lex.words("salient_nouns") and plain:
        found = _salient(t, np.head.i, None)
        if found is not None:
            return found, "description"
    if not proper and (set(words) & lex.words("state_force_words") or set(words[:-1]) & lex.words("government_words")):
        st = t.main_state(np.head.i)
        if st is not None and head in lex.words("nationality_heads"):
            c = t.forces_cluster(st)  # "the army", "government troops": the forces of the state in focus
            t.link(c, "forcesOf", t.state_cluster(st))
            return c, "nationality"
    if side is not None:
        content = [w for w in words if w not in ("the", "a", "an", "its", "their", "his", "her")]
        lone = len(content) == 1 and content[0] in lex.words("neutral_bare")
        if not lone:
            return _side_group(t, np, side, proper), "description"
    return None, ""


def _said(t: Table, np: NP) -> Cluster | None:
    """What the text says the phrase is: an apposition, a naming verb, a copula."""
    g = t.graph
    head = np.head
    for a in g.deps(head.i, "describes"):
        if a.why not in ("appos", "copula"):
            continue
        c = t.name_cluster(a.dep)  # only a name says what a description is; two descriptions say nothing
        if c is not None and c.type == "Person" and head.tag_ == "NN" and a.why == "appos":
            # "the commander-in-chief, X": a singular role noun beside a person's name is that person; "X, a
            # commander of the Y" also says whom X serves
            for b in g.deps(head.i, "prep:of", "prep:in", "poss"):
                owner = t.at(b.dep)
                if owner is not None and owner.group_like and owner.uid != c.uid:
                    t.link(c, "memberOf", owner)
            return c
        if c is not None and (c.group_like or (c.forced_type is None and c.type != "Person")):
            if c.kind == "state" and head.lower_ not in t.lex.words("government_words"):
                continue
            if c.type != "Group" and c.forced_type is None:
                c.votes["Group"] += 3
            return c
    # "a coalition of factions called X": the parser hangs the naming verb on the nearest noun
    inner = [head] + [t.toks[a.dep] for a in g.deps(head.i, "prep:of") if is_group_head(t, t.toks[a.dep])]
    for n in inner:
        for a in g.deps(n.i, "acl"):
            verb = t.toks[a.dep]
            if g.lemmas[verb.i] not in _NAMING:
                continue
            for b in g.deps(verb.i, "attr", "oprd", "obj", "xcomp", "prep:as"):
                c = t.name_cluster(b.dep)
                if c is not None and c.kind == "name":
                    if n is not head and n.i not in t.ref:
                        record(t, read_np(t, n), c, "apposition")  # "a coalition of rebel factions called X"
                    if c.forced_type is None:
                        c.votes["Group"] += 3
                    return c
    return None


def _named_regime(t: Table, at: int) -> Cluster | None:
    """A state or government the text names by a name of its own ("the X Republic of Y", "the Provisional
    Government of Z"), mentioned before ``at``: what "the regime" or "the government" means there."""
    kinds = {w for w, k in t.lex.type_heads.items() if k == "GPE"} | t.lex.words("government_words")
    found = [
        c
        for c in t.live()
        if c.kind == "name"
        and c.type in ("GPE", "Group")
        and c.first < at
        and any(set(fold(n).split()) & kinds for n in c.names)
    ]
    return max(found, key=lambda c: (len(c.mentions), -c.first)) if len(found) >= 1 else None


def _ruling_group(t: Table, at: int) -> Cluster | None:
    """A named group the text called the rulers or the regime before ``at`` ("the X rulers' stronghold"):
    where a group rules, "the regime" is that group, not the state it rules."""
    found = [
        c
        for c in t.live()
        if c.kind == "name" and c.type == "Group" and any(c.tied_before(w, at) >= 0 for w in t.lex.words("ruler_words"))
    ]
    return max(found, key=lambda c: len(c.mentions)) if len(found) == 1 else None


def _proper(t: Table, x: Token) -> bool:
    """A capitalised premodifier that names (not one capitalised because the sentence starts there)."""
    if not x.text[:1].isupper() or x.i in t.name_at or x.i in t.demonym_at or x.lower_ in t.lex.sides:
        return False
    if x.i in t.backer_at or x.lower_ in t.lex.words("backing_participles"):
        return False  # "Cuban-backed government forces": the backer names no side of its own
    if x.i not in t.sent_starts or x.ent_type_ in ("NORP", "ORG", "GPE"):
        return True
    return x.tag_ in ("NNP", "NNPS") and (x.lower_ in t.mid_caps or x.lower_ not in t.lower_words)


def _tied(t: Table, words: list[str], side: str | None, at: int) -> Cluster | None:
    """The group a description's words were used for before (the best overlap, then the latest use)."""
    lex = t.lex
    neutral = lex.words("neutral_bare")
    soldiers = lex.words("soldier_words")
    insurgent_words = lex.side_words("insurgent")
    irregular = lex.words("irregular_words")  # "the fighters" may be insurgents', "troops" never
    group_nouns = lex.words("group_nouns")
    lo_sent = t.sent_of[at] - _WINDOW
    best: tuple[int, int, Cluster] | None = None
    for c in t.live():
        if c.first >= at or not c.group_like:
            continue
        if side is not None and c.side is not None and c.side != side:
            continue  # "loyalist forces" never resolve to the rebels' side
        if any(w in group_nouns and c.tied_before(w, at) < 0 for w in words[:-1]):
            continue  # "militia commanders" are no commanders of an army named before
        overlap = 0
        last = -1
        for w in words:
            used = c.tied_before(w, at)
            weight = 2
            if used < 0 and w in soldiers and all(x == w or x in ("the", "some", "many", "most") for x in words):
                # "X troops fled, and some soldiers ...", "insurgents seized X; the fighters ...": the rank and file
                # of the force just named, whatever word named them
                pool = soldiers | insurgent_words if c.side == "insurgent" and w in irregular else soldiers
                used = max(c.tied_before(x, at) for x in pool)
                weight = 1  # the same word used before counts more than a word for the same men
            if used >= 0:
                overlap += weight
                last = max(last, used)
        if overlap == 0:
            continue
        specific = any(w not in neutral for w in words if c.tied_before(w, at) >= 0)
        if not specific and (t.sent_of[last] < lo_sent or (side is not None and c.side is None)):
            continue
        alias_words = {w for a in c.aliases for w in a.lower().split()}
        overlap += sum(1 for w in words if w in alias_words)
        if best is None or (overlap, last) > best[:2]:
            best = (overlap, last, c)
    return best[2] if best is not None else None


def _governing_subjects(t: Table, at: int) -> set[int]:
    """Entities that are subjects of the verbs above token ``at`` or coordinated with it: "they used its
    airport to strike guerrilla positions", "X and Druze militants" are not the same group."""
    out: set[int] = set()
    tok = t.toks[at]
    for conj in tok.conjuncts:
        c = t.at(conj.i)
        if c is not None:
            out.add(c.uid)
    if tok.dep_ == "poss":
        return out  # "soldiers heading for the rulers' stronghold": a possessor may well be the subject's own
    node = tok
    for _ in range(12):
        if node.pos_ in ("VERB", "AUX"):
            for a in t.graph.deps(node.i, "nsubj", "nsubj:pass"):
                if a.dep != at:
                    c = t.at(a.dep)
                    if c is not None:
                        out.add(c.uid)
        if node.head.i == node.i:
            break
        node = node.head
    return out


def _same_side(t: Table, side: str, at: int, definite: bool = True) -> Cluster | None:
    """The side's main group so far: most mentioned, then the latest; not a subject of the governing verbs.
    Only a definite phrase ("the rebels", not "Rebels entered X") may mean a named group never called so."""
    excluded = _governing_subjects(t, at)
    same = [c for c in t.live() if c.group_like and c.side == side and c.first < at and c.uid not in excluded]
    if not same:
        words = {x.lower_ for x in t.toks[t.toks[at].left_edge.i : at + 1]}
        if words & t.lex.words("government_words"):
            return None  # "government troops" are a state's, never the named group in focus
        return _salient(t, at, side) if definite else None

    def rank(c: Cluster) -> tuple[int, int]:
        before = [s for s, _e, _k in c.mentions if s < at]
        return (len(before), max(before, default=-1))

    return max(same, key=rank)


def _salient(t: Table, at: int, side: str | None) -> Cluster | None:
    """The named group mentioned most in the last sentences, not on the other side, shown acting, and not a
    subject of the verbs the description depends on."""
    other = "incumbent" if side == "insurgent" else "insurgent" if side == "incumbent" else None
    subjects = _governing_subjects(t, at)
    lo = t.sent_of[at] - _WINDOW
    seen: dict[int, Cluster] = {}
    for s, _e, uid, _k in t.spans:
        if s >= at or t.sent_of[s] < lo:
            continue
        c = t.get(uid)
        if (
            c.type == "Group"
            and c.kind in ("name", "backed")
            and (other is None or c.side != other)
            and (c.names or c.fixed_key)
            and not (c.kind == "backed" and c.side is None)
            and t.acts(c)
            and c.uid not in subjects
        ):
            seen[c.uid] = c
    if not seen:
        return None
    # the group a recent sentence is about (its subject) comes first, then the most mentioned so far
    recent: dict[int, int] = {}
    for uid in seen:
        for s, e, _k in seen[uid].mentions:
            root = t.toks[e - 1]
            if s < at and t.sent_of[s] >= t.sent_of[at] - 1 and root.dep_ in ("nsubj", "nsubjpass"):
                recent[uid] = max(recent.get(uid, -1), s)

    def rank(c: Cluster) -> tuple[int, int, int]:
        return (recent.get(c.uid, -1), sum(1 for m in c.mentions if m[0] < at), -c.first)

    return max(seen.values(), key=rank)


def _side_group(t: Table, np: NP, side: str, proper: list[Token]) -> Cluster:
    """A side the text never names: "Druze militants" (named by its modifier), or "rebel forces" (one per side
    and country, keyed "<country adjective> rebels" so that reports of one war share it)."""
    lex = t.lex
    if proper:
        return t.phrase_group(alias_text(t, np.pre, np.head), side)
    demonym = np.demonyms[-1] if np.demonyms else None
    st = t.demonym_at[demonym.i] if demonym is not None else None
    key = f"side:{side}:{st.names[0] if st else ''}"
    uid = t.by_key.get(key)
    if uid is not None:
        return t.get(uid)
    c = t.new("side")
    c.forced_type = "Group"
    c.side = side
    c.state = st
    t.by_key[key] = c.uid
    if lex.words("government_words") & set(np.words) and side == "incumbent":
        c.fixed_key = "government forces"
    return c

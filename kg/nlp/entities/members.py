"""Pass 4, members stand for their group; followers of a person are a group of their own.

- "Hamas fighters", "fighters of the X", "advisers from X", "forces loyal to X", "units belonging to X",
  "X's commanders": the named group X (members act for their group);
- "X's loyalists", "pro-X forces", "the regime of X", "X's army" where X is a person: the group that follows
  X ("forces loyal to X"), tied to X by a ``leads`` link, never X himself;
- "X fighters" where the NER took X for a person but nothing else says so: X is a group;
- "Tigray forces", "Darfur rebels" where X is a place: a group named by the phrase, not the place;
- "Kurdish-led forces", "US-backed militias", "the Saudi-led coalition": one group named by the whole phrase
  (the backer is not the group, and its nationality names no side);
- "militias allied with X": allies, not X (left to the descriptions pass);
- "their troops", "its fighters": whoever the possessive pronoun means, once the pronouns pass has run
  (see :func:`resolve_possessives`).
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp.entities.phrases import NP, is_group_head, owner_cluster, read_np
from kg.nlp.entities.table import Cluster, Table, alias_text, content_text
from kg.nlp.gazetteer import fold

_PRONOUN_TAGS = ("PRP$", "PRP")


def run(t: Table) -> None:
    followers = t.lex.words("follower_nouns")
    for tok in t.tokens_in(t.lex.group_heads | followers):  # (no other word is a group head)
        if tok.i in t.ref:
            continue
        loyal_men = tok.lower_ in followers and tok.pos_ == "NOUN" and read_np(t, tok).member_of is not None
        if not is_group_head(t, tok) and not loyal_men:
            continue  # "armed men loyal to X" are X's followers too
        if tok.dep_ in ("compound", "amod", "nmod") and tok.head.i > tok.i and is_group_head(t, tok.head):
            continue  # judged with the head it modifies
        if tok.tag_ == "NN" and any(
            (c := t.name_cluster(a.dep)) is not None and c.type == "Person"
            for a in t.graph.deps(tok.i, "describes")
            if a.why == "appos"
        ):
            continue  # "Northland's naval commander, X": the person, not the navy (the descriptions pass)
        np = read_np(t, tok)
        if np.poss is not None and np.poss.tag_ in _PRONOUN_TAGS:
            t.follow[tok.i] = np.poss.i  # "their troops": decided once "their" is resolved
            continue
        target = _target(t, np)
        if target is not None:
            record(t, np, target, "member")


def _target(t: Table, np: NP) -> Cluster | None:
    lex = t.lex
    head = np.head.lower_
    followers = lex.words("follower_nouns")
    if np.pro is not None:
        c = owner_cluster(t, np.pro)
        if c is not None and c.type == "Person" and head in followers:
            return followers_of(t, c)
        return None
    for owner in (np.member_of, np.owner):
        if owner is not None and owner.i not in t.ref and owner.i > np.head.i and is_group_head(t, owner):
            owner_np = read_np(t, owner)  # "members of the Royalist Northlandic army": the army first
            found = _target(t, owner_np)
            if found is not None:
                record(t, owner_np, found, "member")
    c = owner_cluster(t, np.member_of)
    found = _of_owner(t, c, head, loyal=True) if c is not None else None
    if found is not None:
        return found
    if np.names:  # "X's Y faction": the group's own name comes before whose it is
        c = t.name_cluster(np.names[-1].i)
        if c is not None and _adjacent_name(t, np, c) and c.group_like and c.kind != "state":
            return _modified_by_name(t, np, c)
    c = owner_cluster(t, np.poss)
    found = _of_owner(t, c, head, loyal=True) if c is not None else None
    if found is not None:
        return found
    if not np.pre and np.head.i >= 3 and t.toks[np.head.i - 1].text == ")" and t.toks[np.head.i - 3].text == "(":
        inner = t.at(np.head.i - 2)  # "X (Y) fighters": the bracketed acronym's group
        if inner is not None and inner.group_like:
            return inner
    if np.names:
        c = t.name_cluster(np.names[-1].i)
        if c is not None and _adjacent_name(t, np, c):
            found = _modified_by_name(t, np, c)
            if found is not None:
                return found
    if np.owner is not None:
        c = owner_cluster(t, np.owner)
        if c is not None:
            return _of_owner(t, c, head, loyal=np.owner_case == "of")
    return _named_by_premodifiers(t, np)


def _named_by_premodifiers(t: Table, np: NP) -> Cluster | None:
    """ "Peshmerga forces": proper nouns the NER missed right before a group noun name that group."""
    toks: list[Token] = []
    for x in reversed(np.pre):
        known = x.text[:1].isupper() and x.is_alpha and (fold(x.text) + "s") in t.by_key and x.i not in t.name_at
        if known:  # "Maoist troops" after "the Maoists": the name the text uses, in its adjective form
            toks.insert(0, x)
            continue
        if (
            x.tag_ in ("NNP", "NNPS")
            and x.is_alpha
            and x.text[:1].isupper()
            and not t.is_title(x)
            and x.i not in t.demonym_at
            and x.i not in t.name_at
            and x.lower_ not in t.lex.sides
            and not t.lex.is_group_noun(x.lower_)
        ):
            toks.insert(0, x)
        else:
            break
    if not toks or toks[-1].i != np.head.i - 1 or t.title_case(np.head.i):
        return None
    text = t.surface(toks[0].i, toks[-1].i + 1)
    key = fold(text)
    uid = t.by_key.get(key) or t.by_key.get(key + "s") or t.by_key.get("phrase:" + key)
    if uid is None:
        # "Oromo fighters" after "the Oromo Liberation Front": the one group the text names X plus a group word
        full = {
            t.find(u)
            for k, u in t.by_key.items()
            if ":" not in k
            and len(k.split()) >= 2
            and k.split()[0] == key
            and t.lex.type_heads.get(k.split()[-1]) == "Group"
        }
        if len(full) == 1:
            uid = next(iter(full))
    if uid is None:
        c = t.new("name")
        c.forced_type = "Group"
        t.by_key[key] = c.uid
    else:
        c = t.get(uid)
        if c.type not in ("Group",) and c.forced_type is None:
            c.votes["Group"] += 5
    c.names[text] += 1
    c.aliases.add(text)
    c.strong = True
    t.mention(c, toks[0].i, toks[-1].i + 1, "name")
    for x in toks:
        t.name_at[x.i] = c.uid
    return c


def _adjacent_name(t: Table, np: NP, c: Cluster) -> bool:
    """Whether the name ends right before the head, but for words of the phrase ("Hamas armed wing")."""
    last = np.names[-1].i
    return all(x.pos_ in ("ADJ", "NOUN") and x.is_lower for x in t.toks[last + 1 : np.head.i])


def _of_owner(t: Table, c: Cluster, head: str, loyal: bool) -> Cluster | None:
    """Who "<head> of/from/loyal to <c>" are."""
    if c.kind in ("state",):
        return None  # the states pass decided those it could
    if c.group_like:
        return c
    if c.type == "Person" and loyal and head in t.lex.words("follower_nouns"):
        return followers_of(t, c)
    if loyal and c.kind == "name" and c.type == "GPE" and _polity(t, c):
        return c  # "fighters loyal to the Emirate of X": the polity acting, as its state's troops are the state's
    return None


def _polity(t: Table, c: Cluster) -> bool:
    """Whether a name says it is a polity ("the Kingdom of X", "X Republic"), not a town whose people these are."""
    heads = t.lex.type_heads
    return any(heads.get(w.lower()) == "GPE" for name in c.names for w in name.split())


def _modified_by_name(t: Table, np: NP, c: Cluster | None) -> Cluster | None:
    """ "Hamas fighters", "Mobutu loyalists", "Houthi rebels", "Tigray forces"."""
    if c is None or c.kind == "state":
        return None
    lex = t.lex
    head = np.head
    low = head.lower_
    if c.kind == "name" and low in lex.words("force_heads") and _adjectival(t, c):
        return named_forces(t, np, c)  # "the Royalist Northlandic army": the forces of a regime, not the regime
    if c.group_like and c.kind != "state":
        return c
    if c.type == "Person":
        if c.titled or (c.strong and c.votes["Person"] >= 3):
            return followers_of(t, c) if low in lex.words("follower_nouns") else None
        if head.tag_ == "NNS" and low in lex.words("member_nouns") and c.forced_type is None:
            c.votes["Group"] += 4  # "X fighters", "X militants": the NER's person is a group
            c.strong = True
            return c
        return followers_of(t, c) if low in lex.words("follower_nouns") else None
    if c.type in ("GPE", "Place") and c.kind == "name":
        if t.known_place(next(iter(c.names), "")) is None and not c.strong and c.forced_type is None:
            c.votes["Group"] += 4  # "X rebels", "the X rebellion": X is no place the gazetteer knows
            c.strong = True
            return c
        return place_group(t, np)
    return None


def _adjectival(t: Table, c: Cluster) -> bool:
    """Whether every name of ``c`` ends in a nationality adjective ("Royalist Northlandic"): the name of a
    regime or side of a state, whose army is a group of its own."""
    return bool(c.names) and all(
        t.lex.state_by_adjective(n.split()[-1]) is not None and len(n.split()) > 1 for n in c.names
    )


def named_forces(t: Table, np: NP, regime: Cluster) -> Cluster:
    """The armed forces of a regime named by an adjective, one group, tied to it by ``forcesOf``."""
    c = t.phrase_group(alias_text(t, np.pre, np.head), regime.side)
    if regime.forced_type is None:
        regime.votes["GPE"] += 2  # "the Royalist Northlandic government" is the regime acting
    t.link(c, "forcesOf", regime)
    return c


def place_group(t: Table, np: NP) -> Cluster:
    """ "Tigray forces", "Darfur rebels": a group named by a place and a group noun, not the place (whose name
    here is no mention of it: "the city" later does not mean it)."""
    text = alias_text(t, np.pre, np.head)
    names = [x.i for x in np.names]
    if names:
        _drop_backer(t, min(names), max(names) + 1)
    return t.phrase_group(text, next((t.lex.sides[w] for w in np.words if w in t.lex.sides), None))


def followers_of(t: Table, leader: Cluster) -> Cluster:
    """The group that follows a person, one per person, tied to them by a ``leads`` link."""
    key = f"followers:{leader.uid}"
    uid = t.by_key.get(key)
    if uid is not None:
        return t.get(uid)
    c = t.new("followers")
    c.forced_type = "Group"
    c.strong = True
    t.by_key[key] = c.uid
    t.link(leader, "leads", c)
    return c


def record(t: Table, np: NP, target: Cluster, kind: str, tie: bool = True) -> None:
    """Map the phrase to ``target``: its head and content words, an alias, the words that tie it."""
    for x in np.pre:
        if x.tag_ == "PRP$" or x.pos_ == "DET" or x.like_num or x.i in t.name_at or x.i in t.demonym_at:
            continue
        t.ref.setdefault(x.i, target.uid)
    t.ref[np.head.i] = target.uid
    t.mention(target, np.start, np.head.i + 1, kind, map_tokens=False)
    alias = content_text(t, np.pre, np.head)
    if np.poss is not None and np.poss.tag_ not in _PRONOUN_TAGS:
        kept = [x for x in t.toks[np.poss.left_edge.i : np.head.i + 1] if not x.like_num and x.pos_ != "DET"]
        alias = "".join(x.text_with_ws for x in kept).strip()  # "X's army", not "X's 6,000 men"
    elif np.member_of is not None and t.at(np.member_of.i) is target:
        pass
    elif np.member_of is not None:
        alias = t.surface(np.start, np.member_of.right_edge.i + 1)  # "forces loyal to X"
        while alias.lower().startswith(("the ", "a ", "an ")):
            alias = alias.split(" ", 1)[1]
    if " " in alias and not alias.lower().startswith(("the ", "a ", "an ")):
        target.aliases.add(alias)  # never a bare "troops": it would match every force
    elif " " in alias:
        target.aliases.add(alias.split(" ", 1)[1])
    elif alias.lower() in t.lex.sides or (
        t.lex.is_group_noun(alias) and alias.lower() not in t.lex.words("neutral_bare") and kind != "member"
    ):
        target.aliases.add(alias)  # "the rebels", "the alliance": how the text names it (never a bare "troops")
    named = any(x.i in t.name_at for x in np.pre)
    for w in np.words if tie else ():
        if named and w in t.lex.sides and t.bare_side_before(t.lex.sides[w], np.start):
            continue  # "defected to rebels ... the rebel X group": X is one of them, not all of them
        if t.lex.is_group_noun(w) or w in t.lex.sides:
            target.tie(w, np.head.i, t.lex.sides)


def backed_groups(t: Table) -> None:
    """ "Kurdish-led forces", "US-backed militias", "the Saudi-led coalition": one group named by the whole
    phrase. A backed name ("the US-backed Free Valley Army") is that name; the backer's word is no mention."""
    lex = t.lex
    toks = t.toks
    participles = lex.words("backing_participles")
    for p in t.tokens_in(participles):
        if p.lower_ not in participles or p.i < 2 or toks[p.i - 1].text != "-":
            continue
        left = p.i - 2
        if toks[left].whitespace_ or toks[p.i - 1].whitespace_ or not toks[left].text[:1].isupper():
            continue
        j = left
        named = [sp for sp in t.spans if sp[3] == "name" and sp[0] <= left < sp[1]]
        if named:
            j = named[0][0]
        else:
            while j - 1 >= 0 and t.backer_at.get(j - 1) is not None and t.backer_at.get(j - 1) is t.backer_at.get(left):
                j -= 1
        k = p.i + 1
        while k < len(toks) and k - p.i <= 3 and toks[k].pos_ in ("ADJ", "PROPN", "NOUN"):
            if lex.is_group_noun(toks[k].lower_) or k in t.name_at:
                break
            k += 1
        if k >= len(toks) or k in t.name_at:
            _drop_backer(t, j, p.i)  # "the US-backed Free Valley Army": the name is the group
            continue
        if not lex.is_group_noun(toks[k].lower_):
            continue
        while k + 1 < len(toks) and lex.is_group_noun(toks[k + 1].lower_):
            k += 1  # "the Saudi-led coalition forces"
        if k + 1 < len(toks) and (k + 1 in t.name_at or _particle_name(t, k + 1)):
            _drop_backer(t, j, p.i)  # "X-affiliated terrorist group Y": the group is Y
            continue
        if lex.words("government_words") & {x.lower_ for x in toks[p.i + 1 : k]}:
            continue  # "Cuban-backed government troops" are the government's, whoever backs them
        _drop_backer(t, j, p.i)
        text = t.surface(j, k + 1)
        key = "phrase:" + text.lower()
        uid = t.by_key.get(key)
        if uid is None:
            c = t.new("backed")
            c.forced_type = "Group"
            c.strong = True
            c.fixed_key = text
            t.by_key[key] = c.uid
        else:
            c = t.get(uid)
        c.names[text] += 1
        c.aliases.add(text)
        t.mention(c, j, k + 1, "name")
        for i in range(j, k + 1):
            t.ref[i] = c.uid
        for x in toks[p.i + 1 : k + 1]:
            if lex.is_group_noun(x.lower_) or x.lower_ in lex.sides:
                c.tie(x.lower_, x.i, lex.sides)


def _particle_name(t: Table, i: int) -> bool:
    """ "al-Dawla": a lower-case particle, a hyphen and a capitalised word start a name."""
    toks = t.toks
    return (
        i + 2 < len(toks)
        and toks[i].is_lower
        and len(toks[i]) <= 3
        and toks[i + 1].text == "-"
        and toks[i + 2].text[:1].isupper()
    )


def _drop_backer(t: Table, start: int, end: int) -> None:
    """The backer's own name in "X-backed" is no mention of X."""
    for sp in [sp for sp in t.spans if sp[3] == "name" and start <= sp[0] and sp[1] <= end]:
        t.spans.remove(sp)
        other = t.get(sp[2])
        if (sp[0], sp[1], sp[3]) in other.mentions:
            other.mentions.remove((sp[0], sp[1], sp[3]))
        form = t.surface(sp[0], sp[1])
        if other.names.get(form, 0) > 0:
            other.names[form] -= 1
            other.names += type(other.names)()  # drop zero counts
        for i in range(sp[0], sp[1]):
            t.name_at.pop(i, None)
            t.ref.pop(i, None)


def _speaker_token(t: Table, owner: Cluster, pron_i: int) -> int:
    """The mention of ``owner`` before the pronoun that is closest to it (to ask whether it spoke)."""
    best = -1
    for _s, e, _k in owner.mentions:
        if e - 1 < pron_i:
            best = max(best, e - 1)
    return best if best >= 0 else pron_i


def named_followers(t: Table) -> None:
    """ "forces of the government of X ... X's Front for Unity": when the text names the group a person leads
    ("X's <name>"), his followers are that group, not one of their own."""
    for leader_uid, pred, f_uid in sorted(t.links):
        if pred != "leads":
            continue
        leader, followers = t.get(leader_uid), t.get(f_uid)
        if followers.kind != "followers" or leader.uid == followers.uid:
            continue
        owned = {
            c.uid: c
            for s, _e, uid, kind in t.spans
            if kind == "name"
            and s >= 2
            and t.toks[s - 1].tag_ == "POS"
            and t.at(s - 2) is leader
            and (c := t.get(uid)).kind == "name"
            and c.type == "Group"
        }
        if len(owned) != 1:
            continue
        group = next(iter(owned.values()))
        kind, key = group.kind, group.fixed_key
        group = t.merge(group, followers)
        group.kind, group.fixed_key = kind, key
        t.link(leader, "leads", group)


def resolve_possessives(t: Table) -> None:
    """ "their troops", "its fighters", "his men": the entity of the possessive pronoun, its forces when that is
    a state, its followers when that is a person (run after the pronouns pass)."""
    lex = t.lex
    for head_i, pron_i in sorted(t.follow.items()):
        if head_i in t.ref:
            continue
        owner = t.at(pron_i)
        if owner is None:
            continue
        head: Token = t.toks[head_i]
        low = head.lower_
        target: Cluster | None
        capital = t.capital_of(owner) if owner.kind == "name" else None
        if capital is not None and t.speaks(_speaker_token(t, owner, pron_i)):
            owner = t.state_cluster(capital)  # "Baku said its troops ...": a capital speaks for its state
        if owner.kind == "state" and owner.state is not None:
            if low in lex.words("nationality_heads") or low in lex.words("institution_heads"):
                from kg.nlp.entities.states import _acting_for

                target, _ = _acting_for(t, owner.state, head)
            else:
                target = None
        elif owner.group_like:
            target = owner
        elif owner.type == "Person" and low in lex.words("follower_nouns"):
            target = followers_of(t, owner)
        else:
            target = None
        if target is None:
            continue
        np = read_np(t, head)
        record(t, np, target, "member")

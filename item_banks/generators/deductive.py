"""Deductive reasoning item models: premises in Swedish and English, six options, one valid conclusion.

Content is set at work (offices, meetings, projects, teams) with first names from Swedish
and international backgrounds; no real persons. Every item has six options (c = 1/6):
the one conclusion that follows and five that do not (the reversed or converse
conclusion, the conclusion of a tempting invalid inference, "cannot be determined" where
something follows, claims about other people or groups). Four kinds of logic, each
keeping the machine-readable logical form of every premise and option in ``structure``
so that :func:`item_banks.checks.check_deductive_item` can confirm by brute force that
exactly the key follows:

Orderings (``structure.logic = "order"``), 3-6 people or teams
    ``deductive.ordering_pair``: which comparison follows (or "cannot be determined how
    X and Y compare"); ``deductive.ordering_extreme``: who ranks highest/lowest (5 or 6
    people or teams; or "cannot be determined"). Premises are a random connected set of
    comparisons (a chain or a tree, optionally one more comparison between two people the
    tree leaves open), phrased with the relation or its converse ("longer than" /
    "shorter than"). Shapes that leave more than ``MAX_ORDERS`` orders open are drawn
    again. Forms: ``["gt", x, y]`` (x ranks above y), ``["undetermined_pair", x, y]``,
    ``["top", x]``, ``["bottom", x]``, ``["undetermined", "top" | "bottom"]``.

Quantified statements (``logic = "monadic"``), "all / no / at least one"
    ``deductive.<form>`` for the forms in ``SYLLOGISMS``: instances, tollens, the invalid
    converse and denial, chains of two "all" statements with a named person, syllogisms
    with "some" and "no", and three syllogisms from which nothing follows about the two
    end groups (key: "it cannot be determined whether anyone who ..."). Forms:
    ``["all", P, Q]``, ``["none", P, Q]``, ``["some", P, Q]``, ``["some_not", P, Q]``
    (at least one P is not Q), ``["is", name, P]``, ``["is_not", name, P]``,
    ``["undetermined", name, P]``, ``["undetermined_some", P, Q]`` (neither "at least one
    P is Q" nor "no P is Q" follows). No distractor may follow even when every group
    named in the premises is taken to be non-empty (existential import).

Conditionals (``logic = "propositional"``), the forms in ``CONDITIONALS``
    modus ponens and tollens, the invalid forms affirming the consequent and denying
    the antecedent (key: "cannot be determined"), chains of two and three conditionals
    forwards and backwards, the invalid forms inside a chain, the hypothetical syllogism;
    a planned number of the parts of the rules is negated. Forms: ``["if", L1, L2]`` with
    literals ``atom`` or ``["not", atom]``; ``["fact", atom]``, ``["not", atom]``,
    ``["undetermined", atom]``, ``["and", L1, L2]``.

A conditional about an ordering (``logic = "mixed"``), the forms in ``MIXED``
    the condition of a rule is a comparison that follows from a chain of comparisons
    (``order_ponens``), or the denied consequence of a rule reverses a comparison that
    then extends a chain (``order_tollens``), or the invalid inferences tempt
    (``order_affirming``, ``order_denying``). Premises and options combine the order and
    the propositional forms; conditions may be ``["gt", x, y]``.

``features`` carries the difficulty features (``form``, ``logic``, ``n_premises``,
``n_terms``, ``n_models``, ``n_negations``, ``tollens``, ``key_undetermined``, ``lure``,
``n_converse``); ``n_models`` is the number of mental models (Johnson-Laird & Byrne 1991):
for orderings the number of orders consistent with the premises, for the other forms the
count in ``SYLLOGISMS`` / ``CONDITIONALS`` / ``MIXED``; ``lure`` says that a well-known
invalid inference (affirming the consequent, denying the antecedent, illicit conversion,
the undistributed middle) gives one of the wrong options.

Which forms, with how many terms and negations, make up a bank is planned
(``PLAN``: item model and structure -> weight) so that the a-priori difficulties spread
over the whole ability range and the item families (:mod:`item_banks.families`) are many
and small.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Any

from ._common import (
    LANGS,
    Option,
    Rng,
    both,
    cap,
    item_ids,
    make_item,
    pick,
    plan,
    rand_int,
    sample,
    shuffle_options,
    unique_items,
)
from ..team_names import with_english_names

MODEL_VERSION = "deductive-3.1"
TYPE = "deductive"
#: options per item (c = 1/6)
N_OPTIONS = 6

#: First names from Swedish and international backgrounds (no real persons). No name is
#: part of another, so a name found in a text is that person.
NAMES = (
    "Anna", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan", "Ida", "Jonas",
    "Karin", "Leo", "Maja", "Nils", "Omar", "Petra", "Sara", "Tove", "Ulf", "Vera",
    "Amir", "Linnea", "Erik", "Sofia", "Mats", "Yasmin", "Aisha", "Mehmet", "Priya",
    "Kenji", "Fatima", "Mateo", "Zeynep", "Nadia", "Wei", "Tariq", "Leila", "Dragan",
    "Johan", "Sanna", "Oskar", "Lina",
)
#: Team names: the ids in ``structure`` and the Swedish texts; the English texts use
#: ``team_names.TEAMS_EN``.
TEAMS = ("Team Norr", "Team Syd", "Team Öst", "Team Väst", "Team Mitt", "Team Kust", "Team Fjäll")

CONCLUSION_QUESTION = {
    "sv": "Vilken slutsats kan dras av uppgifterna ovan?",
    "en": "Which conclusion can be drawn from the information above?",
}
UNDETERMINED = {
    "sv": "Det går inte att avgöra utifrån uppgifterna.",
    "en": "It cannot be determined from the information given.",
}
PAIR_UNDETERMINED = {
    "sv": "Det går inte att avgöra hur {x} och {y} förhåller sig till varandra.",
    "en": "It cannot be determined how {x} and {y} compare.",
}
TOLLENS_FORMS = {"all_tollens", "all_chain_tollens", "none_chain_tollens", "modus_tollens", "chain_tollens",
                 "chain3_tollens", "order_tollens"}
NEGATED_OPS = {"none", "is_not", "some_not", "not"}


def _quote(text: str, lang: str) -> str:
    return f"”{text}”" if lang == "sv" else f"“{text}”"


def _count_negations(forms: list) -> int:
    count = 0
    for f in forms:
        if isinstance(f, list):
            count += (f[0] in NEGATED_OPS) + _count_negations(f[1:])
    return count


# --------------------------------------------------------------------------- orderings

#: "gt" says x ranks above y, "lt" says the same fact the other way round.
RELATIONS = {
    "tenure": {
        "entities": "people",
        "gt": {"sv": "{x} har arbetat längre på företaget än {y}", "en": "{x} has worked at the company longer than {y}"},
        "lt": {"sv": "{x} har arbetat kortare tid på företaget än {y}", "en": "{x} has worked at the company for a shorter time than {y}"},
        "top": {"sv": "Vem har arbetat längst på företaget?", "en": "Who has worked at the company the longest?"},
        "bottom": {"sv": "Vem har arbetat kortast tid på företaget?", "en": "Who has worked at the company for the shortest time?"},
    },
    "arrival": {
        "entities": "people",
        "gt": {"sv": "{x} kom till kontoret före {y}", "en": "{x} arrived at the office before {y}"},
        "lt": {"sv": "{x} kom till kontoret efter {y}", "en": "{x} arrived at the office after {y}"},
        "top": {"sv": "Vem kom först till kontoret?", "en": "Who arrived at the office first?"},
        "bottom": {"sv": "Vem kom sist till kontoret?", "en": "Who arrived at the office last?"},
    },
    "meetings": {
        "entities": "people",
        "gt": {"sv": "{x} har fler kundmöten den här veckan än {y}", "en": "{x} has more client meetings this week than {y}"},
        "lt": {"sv": "{x} har färre kundmöten den här veckan än {y}", "en": "{x} has fewer client meetings this week than {y}"},
        "top": {"sv": "Vem har flest kundmöten den här veckan?", "en": "Who has the most client meetings this week?"},
        "bottom": {"sv": "Vem har färst kundmöten den här veckan?", "en": "Who has the fewest client meetings this week?"},
    },
    "commute": {
        "entities": "people",
        "gt": {"sv": "{x} har längre resväg till jobbet än {y}", "en": "{x} has a longer journey to work than {y}"},
        "lt": {"sv": "{x} har kortare resväg till jobbet än {y}", "en": "{x} has a shorter journey to work than {y}"},
        "top": {"sv": "Vem har längst resväg till jobbet?", "en": "Who has the longest journey to work?"},
        "bottom": {"sv": "Vem har kortast resväg till jobbet?", "en": "Who has the shortest journey to work?"},
    },
    "overtime": {
        "entities": "people",
        "gt": {"sv": "{x} arbetade mer övertid i maj än {y}", "en": "{x} worked more overtime in May than {y}"},
        "lt": {"sv": "{x} arbetade mindre övertid i maj än {y}", "en": "{x} worked less overtime in May than {y}"},
        "top": {"sv": "Vem arbetade mest övertid i maj?", "en": "Who worked the most overtime in May?"},
        "bottom": {"sv": "Vem arbetade minst övertid i maj?", "en": "Who worked the least overtime in May?"},
    },
    "projects": {
        "entities": "people",
        "gt": {"sv": "{x} leder fler projekt i år än {y}", "en": "{x} leads more projects this year than {y}"},
        "lt": {"sv": "{x} leder färre projekt i år än {y}", "en": "{x} leads fewer projects this year than {y}"},
        "top": {"sv": "Vem leder flest projekt i år?", "en": "Who leads the most projects this year?"},
        "bottom": {"sv": "Vem leder färst projekt i år?", "en": "Who leads the fewest projects this year?"},
    },
    "sales": {
        "entities": "teams",
        "gt": {"sv": "{x} sålde för mer under kvartalet än {y}", "en": "{x} sold more during the quarter than {y}"},
        "lt": {"sv": "{x} sålde för mindre under kvartalet än {y}", "en": "{x} sold less during the quarter than {y}"},
        "top": {"sv": "Vilket team sålde för mest under kvartalet?", "en": "Which team sold the most during the quarter?"},
        "bottom": {"sv": "Vilket team sålde för minst under kvartalet?", "en": "Which team sold the least during the quarter?"},
    },
    "cases": {
        "entities": "teams",
        "gt": {"sv": "{x} löste fler ärenden i mars än {y}", "en": "{x} resolved more cases in March than {y}"},
        "lt": {"sv": "{x} löste färre ärenden i mars än {y}", "en": "{x} resolved fewer cases in March than {y}"},
        "top": {"sv": "Vilket team löste flest ärenden i mars?", "en": "Which team resolved the most cases in March?"},
        "bottom": {"sv": "Vilket team löste färst ärenden i mars?", "en": "Which team resolved the fewest cases in March?"},
    },
    "response": {
        "entities": "teams",
        "gt": {"sv": "{x} svarade snabbare på kundärenden i april än {y}",
               "en": "{x} answered customer enquiries faster in April than {y}"},
        "lt": {"sv": "{x} svarade långsammare på kundärenden i april än {y}",
               "en": "{x} answered customer enquiries more slowly in April than {y}"},
        "top": {"sv": "Vilket team svarade snabbast på kundärenden i april?",
                "en": "Which team answered customer enquiries the fastest in April?"},
        "bottom": {"sv": "Vilket team svarade långsammast på kundärenden i april?",
                   "en": "Which team answered customer enquiries the most slowly in April?"},
    },
}
PEOPLE_RELATIONS = tuple(sorted(k for k, r in RELATIONS.items() if r["entities"] == "people"))

#: Most orders an ordering item may leave open. Beyond this the count of mental models
#: stops describing what a reasoner builds (a person above four others is still easy to
#: find as the first), so such shapes are drawn again instead of being rated very hard.
MAX_ORDERS = {"ordering_pair": 16, "ordering_extreme": 8}


def _clause(rel: dict, hi: str, lo: str, phrasing: str, lang: str) -> str:
    """``hi`` ranks above ``lo`` as a clause, with the relation ("gt") or its converse ("lt")."""
    if phrasing == "gt":
        return rel["gt"][lang].format(x=hi, y=lo)
    return rel["lt"][lang].format(x=lo, y=hi)


def _compare(rel: dict, hi: str, lo: str, phrasing: str) -> dict[str, str]:
    """Sentence saying ``hi`` ranks above ``lo``, phrased with "gt" or its converse "lt"."""
    return {lang: cap(_clause(rel, hi, lo, phrasing, lang)) + "." for lang in LANGS}


def _phrase(rel: dict, lang: str) -> str:
    return rel["gt"][lang].format(x="", y="").strip()


def _join(names: list[str], lang: str) -> str:
    word = {"sv": "och", "en": "and"}[lang]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def _orders(entities: list[str], edges: list[tuple[str, str]]) -> list[dict[str, int]]:
    """Every ranking (entity -> rank, 0 = top) consistent with the (higher, lower) edges."""
    out = []
    for perm in itertools.permutations(entities):
        rank = {e: r for r, e in enumerate(perm)}
        if all(rank[hi] < rank[lo] for hi, lo in edges):
            out.append(rank)
    return out


def _path(edges: list[tuple[str, str]], start: str, goal: str) -> list[str] | None:
    """A chain start > ... > goal along the edges (depth-first), None if there is none."""
    if start == goal:
        return [start]
    for hi, lo in edges:
        if hi == start:
            rest = _path(edges, lo, goal)
            if rest:
                return [start, *rest]
    return None


def _premise_edges(rng: Rng, ents: list[str], chain: bool) -> list[tuple[str, str]]:
    """n - 1 comparisons connecting all entities: a chain in rank order, or a random tree
    with randomly oriented edges (any orientation of a tree is consistent)."""
    if chain:
        return [(ents[i], ents[i + 1]) for i in range(len(ents) - 1)]
    edges = []
    for i in range(1, len(ents)):
        j = rand_int(rng, 0, i - 1)
        edges.append((ents[j], ents[i]) if rng.random() < 0.5 else (ents[i], ents[j]))
    return edges


def _take(rng: Rng, seq: list, k: int) -> list:
    return sample(rng, seq, k) if k > 0 else []


def _ordering(rng: Rng, item_id: str, spec: tuple, practice: bool) -> dict[str, Any] | None:
    """An ordering item; ``spec`` = (form, number of terms, extra premise?, key undetermined?,
    optionally the least and the most orders the premises may leave open)."""
    form, n_terms, extra, undetermined = spec[:4]
    min_orders = spec[4] if len(spec) > 4 else 1
    max_orders = spec[5] if len(spec) > 5 else MAX_ORDERS[form]
    question = form.removeprefix("ordering_")
    rel_id = pick(rng, sorted(RELATIONS))
    rel = RELATIONS[rel_id]
    pool = NAMES if rel["entities"] == "people" else TEAMS
    ents = sample(rng, pool, n_terms)
    chain = practice or (question == "pair" and n_terms == 3 and not undetermined) or rng.random() < 0.25
    edges = _premise_edges(rng, ents, chain)
    if extra:
        models = _orders(ents, edges)
        loose = [(a, b) for a, b in itertools.combinations(ents, 2)
                 if len({m[a] < m[b] for m in models}) == 2]
        if not loose:
            return None
        a, b = pick(rng, loose)
        edges.append((a, b) if rng.random() < 0.5 else (b, a))
    models = _orders(ents, edges)
    if not min_orders <= len(models) <= min(max_orders, MAX_ORDERS[form]):
        return None
    phrasings = ["gt" if practice else pick(rng, ("gt", "lt")) for _ in edges]
    order = list(range(len(edges))) if practice else [int(i) for i in rng.permutation(len(edges))]
    premises = [_compare(rel, *edges[i], phrasings[i]) for i in order]

    def above(a: str, b: str) -> bool:
        return all(m[a] < m[b] for m in models)

    def compare_option(hi: str, lo: str) -> Option:
        return _compare(rel, hi, lo, "gt" if practice else pick(rng, ("gt", "lt"))), ["gt", hi, lo]

    def pair_undetermined(x: str, y: str) -> Option:
        return {lang: PAIR_UNDETERMINED[lang].format(x=x, y=y) for lang in LANGS}, ["undetermined_pair", x, y]

    determined = [(a, b) for a, b in itertools.permutations(ents, 2) if above(a, b)]
    open_pairs = [(a, b) for a, b in itertools.combinations(ents, 2) if not above(a, b) and not above(b, a)]
    false_claims = [(b, a) for a, b in determined]
    open_claims = [p for a, b in open_pairs for p in ((a, b), (b, a))]
    direct = set(edges)
    if question == "pair":
        if undetermined:
            if not open_pairs:
                return None
            x, y = pick(rng, open_pairs)
            key = pair_undetermined(x, y)
            distractors = [compare_option(x, y), compare_option(y, x)]
            claims = [p for p in false_claims + open_claims if set(p) != {x, y}]
            others = [p for p in determined]  # "cannot be determined" about a determined pair
            n_other = min(1, len(others))
            explanation = {
                "sv": f"Uppgifterna jämför aldrig {x} och {y}, varken direkt eller via en kedja av andra, "
                      f"så båda ordningarna är möjliga.",
                "en": f"The information never compares {x} and {y}, neither directly nor through a chain "
                      f"of others, so both orders are possible.",
            }
        else:
            inferred = [p for p in determined if p not in direct]
            if not inferred:
                return None
            hi, lo = pick(rng, inferred)
            key = compare_option(hi, lo)
            distractors = [compare_option(lo, hi), pair_undetermined(hi, lo)]
            claims = [p for p in false_claims + open_claims if set(p) != {hi, lo}]
            others = [p for p in determined if set(p) != {hi, lo}]
            n_other = max(0, 3 - len(claims))
            chain_text = " → ".join(_path(edges, hi, lo) or [])
            explanation = {
                lang: {
                    "sv": "Kedjan {c} (→ betyder ”{p}”) visar att {k}.",
                    "en": "The chain {c} (→ means “{p}”) shows that {k}.",
                }[lang].format(c=chain_text, p=_phrase(rel, lang), k=rel["gt"][lang].format(x=hi, y=lo))
                for lang in LANGS
            }
        n_claims = N_OPTIONS - 1 - len(distractors) - n_other
        if len(claims) < n_claims or len(others) < n_other:
            return None
        distractors += [compare_option(*p) for p in _take(rng, claims, n_claims)]
        distractors += [pair_undetermined(*p) for p in _take(rng, others, n_other)]
        question_text = CONCLUSION_QUESTION
    else:
        which = pick(rng, ("top", "bottom"))
        rank = 0 if which == "top" else n_terms - 1
        candidates = sorted({e for m in models for e in ents if m[e] == rank}, key=ents.index)
        if (len(candidates) > 1) != undetermined:
            return None
        shown = list(ents)
        if len(shown) > N_OPTIONS - 1:  # leave out people who cannot be the answer
            drop = _take(rng, [e for e in shown if e not in candidates], len(shown) - (N_OPTIONS - 1))
            shown = [e for e in shown if e not in drop]
        if len(shown) != N_OPTIONS - 1:
            return None
        name_options = [(both(e), [which, e]) for e in shown]
        undetermined_option = (dict(UNDETERMINED), ["undetermined", which])
        if not undetermined:
            key = name_options[shown.index(candidates[0])]
            distractors = [o for o in name_options if o is not key] + [undetermined_option]
            template = rel["gt" if which == "top" else "lt"]
            explanation = {
                "sv": f"Av uppgifterna följer att {template['sv'].format(x=candidates[0], y='alla de andra')}.",
                "en": f"It follows that {template['en'].format(x=candidates[0], y='all the others')}.",
            }
        else:
            key, distractors = undetermined_option, name_options
            explanation = {
                "sv": f"Flera svar är möjliga ({_join(candidates, 'sv')}), eftersom uppgifterna inte "
                      f"avgör hur de förhåller sig till varandra.",
                "en": f"More than one answer is possible ({_join(candidates, 'en')}), because the "
                      f"information does not settle how they compare.",
            }
        question_text = rel[which]
    options, key_index = shuffle_options(rng, key, distractors)
    stem = {lang: "\n".join(p[lang] for p in premises) + "\n\n" + question_text[lang] for lang in LANGS}
    features = {
        "form": form,
        "logic": "order",
        "n_premises": len(edges),
        "n_terms": n_terms,
        "n_models": len(models),
        "n_negations": 0,
        "tollens": False,
        "key_undetermined": bool(undetermined),
        "lure": False,
        "n_converse": phrasings.count("lt"),
    }
    structure = {
        "logic": "order",
        "relation": rel_id,
        "entities": ents,
        "premises": [["gt", hi, lo] for hi, lo in (edges[i] for i in order)],
        "options": [f for _, f in options],
    }
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{form}", practice=practice,
        stem=stem, options=options, key=key_index, explanation=explanation, features=features,
        structure=structure,
    )


# --------------------------------------------------------------------------- all / no / some

#: predicate id -> (Swedish verb, rest of the Swedish predicate, English, English negated).
#: Swedish verbs do not inflect for number and the English forms are 3rd person singular,
#: which fits both "Everyone who ..." and a named person.
PREDICATES = {
    "privacy_course": ("har", "gått kursen i dataskydd",
                       "has completed the data protection course", "has not completed the data protection course"),
    "payroll_access": ("har", "tillgång till lönesystemet",
                       "has access to the payroll system", "does not have access to the payroll system"),
    "floor_three": ("sitter", "på plan tre", "has a desk on the third floor", "does not have a desk on the third floor"),
    "monday_meeting": ("deltar", "i måndagsmötet", "attends the Monday meeting", "does not attend the Monday meeting"),
    "company_car": ("har", "tjänstebil", "has a company car", "does not have a company car"),
    "german": ("talar", "tyska", "speaks German", "does not speak German"),
    "safety_committee": ("är", "med i skyddskommittén", "is on the safety committee", "is not on the safety committee"),
    "nda": ("har", "skrivit under sekretessavtalet",
            "has signed the confidentiality agreement", "has not signed the confidentiality agreement"),
    "weekend_on_call": ("har", "jour i helgen", "is on call this weekend", "is not on call this weekend"),
    "project_vega": ("arbetar", "i projekt Vega", "works on project Vega", "does not work on project Vega"),
    "mentor": ("är", "mentor för en nyanställd", "is a mentor for a new employee", "is not a mentor for a new employee"),
    "remote": ("arbetar", "hemifrån på fredagar", "works from home on Fridays", "does not work from home on Fridays"),
    "first_aid": ("har", "gått kursen i första hjälpen",
                  "has completed the first aid course", "has not completed the first aid course"),
    "key_card": ("har", "passerkort till serverrummet",
                 "has a key card for the server room", "does not have a key card for the server room"),
}


def _pred(pid: str, lang: str, negated: bool = False, subordinate: bool = False) -> str:
    verb, rest, en, en_neg = PREDICATES[pid]
    if lang == "en":
        return en_neg if negated else en
    if not negated:
        return f"{verb} {rest}"
    return f"inte {verb} {rest}" if subordinate else f"{verb} inte {rest}"


def _monadic_text(form: list) -> dict[str, str]:
    op = form[0]
    out = {}
    for lang in LANGS:
        if op in ("all", "none", "some", "some_not"):
            lead = {"all": ("Alla som", "Everyone who"), "none": ("Ingen som", "No one who"),
                    "some": ("Minst en person som", "At least one person who"),
                    "some_not": ("Minst en person som", "At least one person who")}[op][lang == "en"]
            out[lang] = f"{lead} {_pred(form[1], lang)} {_pred(form[2], lang, op == 'some_not')}."
        elif op in ("is", "is_not"):
            out[lang] = f"{form[1]} {_pred(form[2], lang, op == 'is_not')}."
        elif op == "undetermined":
            out[lang] = {"sv": f"Det går inte att avgöra om {form[1]} {_pred(form[2], 'sv')}.",
                         "en": f"It cannot be determined whether {form[1]} {_pred(form[2], 'en')}."}[lang]
        elif op == "undetermined_some":
            out[lang] = {"sv": f"Det går inte att avgöra om någon som {_pred(form[1], 'sv')} {_pred(form[2], 'sv')}.",
                         "en": f"It cannot be determined whether anyone who {_pred(form[1], 'en')} "
                               f"{_pred(form[2], 'en')}."}[lang]
        else:
            raise ValueError(op)
    return out


#: form -> (premises, key, five distractors, mental models, lure) over predicates A, B, C
#: and a person n. The model counts are our reading of Johnson-Laird & Byrne (1991) and
#: Johnson-Laird & Bara (1984): forms that need the implicit cases made explicit (tollens,
#: the invalid converse/denial, "some ... no ...", the syllogisms without a valid
#: conclusion about the end groups) count as more models. ``lure``: a well-known invalid
#: inference gives one of the options (illicit conversion of "all", Chapman & Chapman,
#: 1959; the undistributed middle and the atmosphere of two "no" premises, Woodworth &
#: Sells, 1935; Khemlani & Johnson-Laird, 2012). Distractors are conclusions that are
#: possible but not necessary, reversals, or contradictions of a premise; none follows
#: even under existential import (checked by item_banks.checks).
SYLLOGISMS: dict[str, tuple[list, list, list, int, bool]] = {
    "all_instance": ([["all", "A", "B"], ["is", "n", "A"]], ["is", "n", "B"],
                     [["is_not", "n", "B"], ["undetermined", "n", "B"], ["all", "B", "A"], ["some_not", "B", "A"],
                      ["none", "A", "B"]], 1, False),
    "all_tollens": ([["all", "A", "B"], ["is_not", "n", "B"]], ["is_not", "n", "A"],
                    [["is", "n", "A"], ["undetermined", "n", "A"], ["all", "B", "A"], ["some_not", "B", "A"],
                     ["none", "A", "B"]], 2, False),
    "all_converse": ([["all", "A", "B"], ["is", "n", "B"]], ["undetermined", "n", "A"],
                     [["is", "n", "A"], ["is_not", "n", "A"], ["all", "B", "A"], ["some_not", "B", "A"],
                      ["none", "B", "A"]], 2, True),
    "all_denial": ([["all", "A", "B"], ["is_not", "n", "A"]], ["undetermined", "n", "B"],
                   [["is_not", "n", "B"], ["is", "n", "B"], ["all", "B", "A"], ["some_not", "B", "A"],
                    ["none", "B", "A"]], 2, True),
    "all_chain": ([["all", "A", "B"], ["all", "B", "C"]], ["all", "A", "C"],
                  [["all", "C", "A"], ["all", "B", "A"], ["all", "C", "B"], ["none", "A", "C"],
                   ["some_not", "A", "C"]], 1, False),
    "none_instance": ([["none", "A", "B"], ["is", "n", "A"]], ["is_not", "n", "B"],
                      [["is", "n", "B"], ["undetermined", "n", "B"], ["some", "A", "B"], ["all", "B", "A"],
                       ["all", "A", "B"]], 1, False),
    "none_tollens": ([["none", "A", "B"], ["is", "n", "B"]], ["is_not", "n", "A"],
                     [["is", "n", "A"], ["undetermined", "n", "A"], ["some", "B", "A"], ["all", "B", "A"],
                      ["all", "A", "B"]], 1, False),
    "some_chain": ([["all", "A", "B"], ["some", "C", "A"]], ["some", "C", "B"],
                   [["all", "C", "B"], ["none", "C", "B"], ["all", "B", "A"], ["some_not", "C", "B"],
                    ["all", "C", "A"]], 1, False),
    "some_none": ([["some", "A", "B"], ["none", "B", "C"]], ["some_not", "A", "C"],
                  [["none", "A", "C"], ["some", "A", "C"], ["all", "A", "C"], ["all", "C", "A"],
                   ["some_not", "C", "A"]], 3, False),
    "some_some": ([["some", "A", "B"], ["some", "B", "C"]], ["undetermined_some", "A", "C"],
                  [["some", "A", "C"], ["none", "A", "C"], ["all", "A", "C"], ["some_not", "A", "C"],
                   ["all", "C", "A"]], 2, True),
    "shared_predicate": ([["all", "A", "B"], ["all", "C", "B"]], ["undetermined_some", "A", "C"],
                         [["some", "A", "C"], ["all", "A", "C"], ["none", "A", "C"], ["all", "C", "A"],
                          ["all", "B", "A"]], 2, True),
    "none_none": ([["none", "A", "B"], ["none", "B", "C"]], ["undetermined_some", "A", "C"],
                  [["none", "A", "C"], ["some", "A", "C"], ["all", "A", "C"], ["some_not", "A", "C"],
                   ["all", "C", "A"]], 2, True),
    "all_chain_instance": ([["all", "A", "B"], ["all", "B", "C"], ["is", "n", "A"]], ["is", "n", "C"],
                           [["is_not", "n", "C"], ["undetermined", "n", "C"], ["all", "C", "A"],
                            ["some_not", "C", "A"], ["none", "A", "C"]], 1, False),
    "all_chain_tollens": ([["all", "A", "B"], ["all", "B", "C"], ["is_not", "n", "C"]], ["is_not", "n", "A"],
                          [["is", "n", "A"], ["undetermined", "n", "A"], ["is", "n", "B"], ["all", "C", "A"],
                           ["some_not", "B", "A"]], 2, False),
    "all_chain_converse": ([["all", "A", "B"], ["all", "B", "C"], ["is", "n", "C"]], ["undetermined", "n", "A"],
                           [["is", "n", "A"], ["is_not", "n", "A"], ["is", "n", "B"], ["is_not", "n", "B"],
                            ["all", "C", "A"]], 2, True),
    "all_chain_denial": ([["all", "A", "B"], ["all", "B", "C"], ["is_not", "n", "A"]], ["undetermined", "n", "C"],
                         [["is_not", "n", "C"], ["is", "n", "C"], ["is_not", "n", "B"], ["is", "n", "B"],
                          ["all", "C", "A"]], 2, True),
    "none_chain_instance": ([["all", "A", "B"], ["none", "B", "C"], ["is", "n", "A"]], ["is_not", "n", "C"],
                            [["is", "n", "C"], ["undetermined", "n", "C"], ["some", "A", "C"], ["all", "C", "A"],
                             ["all", "C", "B"]], 1, False),
    "none_chain_tollens": ([["all", "A", "B"], ["none", "B", "C"], ["is", "n", "C"]], ["is_not", "n", "A"],
                           [["is", "n", "A"], ["undetermined", "n", "A"], ["is", "n", "B"], ["all", "C", "A"],
                            ["some", "A", "C"]], 2, False),
}


def _syllogism_explanation(form: str, p: dict[str, str], n: str) -> dict[str, str]:
    def s(letter: str, neg: bool = False, sub: bool = False) -> str:
        return _pred(p[letter], "sv", neg, sub)

    def e(letter: str, neg: bool = False) -> str:
        return _pred(p[letter], "en", neg)

    # each text is built only for its own form (not every form has a predicate C)
    texts = {
        "all_instance": lambda: (f"Alla som {s('A')} {s('B')}, och {n} {s('A')}. Därför gäller att {n} {s('B')}.",
                                 f"Everyone who {e('A')} {e('B')}, and {n} {e('A')}. So {n} {e('B')}."),
        "all_tollens": lambda: ((f"Alla som {s('A')} {s('B')}. Eftersom {n} {s('B', True, True)}, kan {n} "
                                 f"inte vara en av dem som {s('A')}."),
                                (f"Everyone who {e('A')} {e('B')}. Since {n} {e('B', True)}, {n} cannot be "
                                 f"someone who {e('A')}.")),
        "all_converse": lambda: ((f"Alla som {s('A')} {s('B')}, men det betyder inte att alla som {s('B')} "
                                  f"{s('A')}. Därför går det inte att avgöra om {n} {s('A')}."),
                                 (f"Everyone who {e('A')} {e('B')}, but that does not mean that everyone who "
                                  f"{e('B')} {e('A')}. So it cannot be determined whether {n} {e('A')}.")),
        "all_denial": lambda: ((f"Första påståendet säger bara något om den som {s('A')}. {n} {s('A', True)}, "
                                f"så det går inte att avgöra om {n} {s('B')}."),
                               (f"The first statement only says something about a person who {e('A')}. {n} "
                                f"{e('A', True)}, so it cannot be determined whether {n} {e('B')}.")),
        "all_chain": lambda: ((f"Alla som {s('A')} {s('B')}, och alla som {s('B')} {s('C')}. Därför gäller att "
                               f"alla som {s('A')} {s('C')}."),
                              (f"Everyone who {e('A')} {e('B')}, and everyone who {e('B')} {e('C')}. So everyone "
                               f"who {e('A')} {e('C')} as well.")),
        "none_instance": lambda: ((f"Ingen som {s('A')} {s('B')}, och {n} {s('A')}. Därför gäller att {n} "
                                   f"{s('B', True, True)}."),
                                  f"No one who {e('A')} {e('B')}, and {n} {e('A')}. So {n} {e('B', True)}."),
        "none_tollens": lambda: ((f"Ingen som {s('A')} {s('B')}. Eftersom {n} {s('B')}, kan {n} inte vara en av "
                                  f"dem som {s('A')}."),
                                 (f"No one who {e('A')} {e('B')}. Since {n} {e('B')}, {n} cannot be someone who "
                                  f"{e('A')}.")),
        "some_chain": lambda: ((f"Minst en person som {s('C')} {s('A')}, och alla som {s('A')} {s('B')}. Därför "
                                f"gäller att minst en person som {s('C')} {s('B')}."),
                               (f"At least one person who {e('C')} {e('A')}, and everyone who {e('A')} {e('B')}. "
                                f"So at least one person who {e('C')} {e('B')}.")),
        "some_none": lambda: ((f"Minst en person som {s('A')} {s('B')}, och ingen som {s('B')} {s('C')}. Därför "
                               f"gäller att minst en person som {s('A')} {s('C', True, True)}."),
                              (f"At least one person who {e('A')} {e('B')}, and no one who {e('B')} {e('C')}. "
                               f"So at least one person who {e('A')} {e('C', True)}.")),
        "some_some": lambda: ((f"Minst en person som {s('A')} {s('B')}, och minst en person som {s('B')} "
                               f"{s('C')}. Men det kan vara olika personer, så det går inte att avgöra om någon "
                               f"som {s('A')} {s('C')}."),
                              (f"At least one person who {e('A')} {e('B')}, and at least one person who "
                               f"{e('B')} {e('C')}. But these may be different people, so it cannot be "
                               f"determined whether anyone who {e('A')} {e('C')}.")),
        "shared_predicate": lambda: ((f"Både alla som {s('A')} och alla som {s('C')} {s('B')}. Det säger "
                                      f"ingenting om en person som både {s('A')} och {s('C')}, så det går inte "
                                      f"att avgöra om någon som {s('A')} {s('C')}."),
                                     (f"Everyone who {e('A')} and everyone who {e('C')} {e('B')}. That says "
                                      f"nothing about a person who {e('A')} and {e('C')}, so it cannot be "
                                      f"determined whether anyone who {e('A')} {e('C')}.")),
        "none_none": lambda: ((f"Ingen som {s('A')} {s('B')}, och ingen som {s('B')} {s('C')}. Det säger "
                               f"ingenting om en person som både {s('A')} och {s('C')}, så det går inte att "
                               f"avgöra om någon som {s('A')} {s('C')}."),
                              (f"No one who {e('A')} {e('B')}, and no one who {e('B')} {e('C')}. That says "
                               f"nothing about a person who {e('A')} and {e('C')}, so it cannot be determined "
                               f"whether anyone who {e('A')} {e('C')}.")),
        "all_chain_instance": lambda: ((f"Alla som {s('A')} {s('B')}, och alla som {s('B')} {s('C')}. {n} "
                                        f"{s('A')}. Då gäller att {n} {s('B')}, och därmed att {n} {s('C')}."),
                                       (f"Everyone who {e('A')} {e('B')}, and everyone who {e('B')} {e('C')}. "
                                        f"{n} {e('A')}. So {n} {e('B')}, and therefore {n} {e('C')}.")),
        "all_chain_tollens": lambda: ((f"Alla som {s('A')} {s('B')}, och alla som {s('B')} {s('C')}. Eftersom "
                                       f"{n} {s('C', True, True)}, kan {n} inte vara en av dem som {s('B')}, och "
                                       f"därför inte heller en av dem som {s('A')}."),
                                      (f"Everyone who {e('A')} {e('B')}, and everyone who {e('B')} {e('C')}. "
                                       f"Since {n} {e('C', True)}, {n} cannot be someone who {e('B')}, and so "
                                       f"not someone who {e('A')} either.")),
        "all_chain_converse": lambda: ((f"Alla som {s('A')} {s('B')}, och alla som {s('B')} {s('C')}, men det "
                                        f"betyder inte att alla som {s('C')} {s('A')}. Därför går det inte att "
                                        f"avgöra om {n} {s('A')}."),
                                       (f"Everyone who {e('A')} {e('B')}, and everyone who {e('B')} {e('C')}, "
                                        f"but that does not mean that everyone who {e('C')} {e('A')}. So it "
                                        f"cannot be determined whether {n} {e('A')}.")),
        "all_chain_denial": lambda: ((f"Påståendena säger bara något om den som {s('A')} eller {s('B')}. {n} "
                                      f"{s('A', True)}, så det går inte att avgöra om {n} {s('C')}."),
                                     (f"The statements only say something about a person who {e('A')} or "
                                      f"{e('B')}. {n} {e('A', True)}, so it cannot be determined whether {n} "
                                      f"{e('C')}.")),
        "none_chain_instance": lambda: ((f"Alla som {s('A')} {s('B')}, och {n} {s('A')}. Därför gäller att {n} "
                                         f"{s('B')}. Ingen som {s('B')} {s('C')}, så {n} {s('C', True)}."),
                                        (f"Everyone who {e('A')} {e('B')}, and {n} {e('A')}. So {n} {e('B')}. "
                                         f"No one who {e('B')} {e('C')}, so {n} {e('C', True)}.")),
        "none_chain_tollens": lambda: ((f"Ingen som {s('B')} {s('C')}, och {n} {s('C')}. Därför gäller att {n} "
                                        f"{s('B', True, True)}. Alla som {s('A')} {s('B')}, så {n} kan inte vara "
                                        f"en av dem som {s('A')}."),
                                       (f"No one who {e('B')} {e('C')}, and {n} {e('C')}. So {n} {e('B', True)}. "
                                        f"Everyone who {e('A')} {e('B')}, so {n} cannot be someone who "
                                        f"{e('A')}.")),
    }
    sv, en = texts[form]()
    return {"sv": sv, "en": en}


def _syllogism(rng: Rng, item_id: str, spec: tuple, practice: bool) -> dict[str, Any]:
    form = spec[0]
    premises, key_form, distractor_forms, n_models, lure = SYLLOGISMS[form]
    letters = sorted({s for f in [*premises, key_form, *distractor_forms] for s in f[1:] if s != "n"})
    binding = dict(zip(letters, sample(rng, sorted(PREDICATES), len(letters))))
    binding["n"] = pick(rng, NAMES)

    def bind(f: list) -> list:
        return [f[0], *(binding[s] for s in f[1:])]

    bound = [bind(p) for p in premises]
    key = (_monadic_text(bind(key_form)), bind(key_form))
    distractors = [(_monadic_text(bind(f)), bind(f)) for f in distractor_forms]
    options, key_index = shuffle_options(rng, key, distractors)
    texts = [_monadic_text(p) for p in bound]
    stem = {lang: "\n".join(t[lang] for t in texts) + "\n\n" + CONCLUSION_QUESTION[lang] for lang in LANGS}
    features = {
        "form": form,
        "logic": "monadic",
        "n_premises": len(premises),
        "n_terms": len(letters) + any("n" in p for p in premises),
        "n_models": n_models,
        "n_negations": _count_negations([*bound, key[1]]),
        "tollens": form in TOLLENS_FORMS,
        "key_undetermined": key_form[0].startswith("undetermined"),
        "lure": lure,
        "n_converse": 0,
    }
    structure = {"logic": "monadic", "premises": bound, "options": [f for _, f in options]}
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{form}", practice=practice, stem=stem,
        options=options, key=key_index,
        explanation=_syllogism_explanation(form, {k: v for k, v in binding.items() if k != "n"}, binding["n"]),
        features=features, structure=structure,
    )


# --------------------------------------------------------------------------- conditionals

#: event id -> (Swedish subject, verb, rest; English affirmative, English negated).
#: "{n}" is filled with a name.
EVENTS = {
    "office_friday": ("{n}", "är", "på kontoret på fredag", "{n} is in the office on Friday",
                      "{n} is not in the office on Friday"),
    "chairs_meeting": ("{n}", "leder", "veckomötet", "{n} chairs the weekly meeting",
                       "{n} does not chair the weekly meeting"),
    "quote_approved": ("offerten", "godkänns", "i dag", "the quote is approved today",
                       "the quote is not approved today"),
    "project_may": ("projektet", "startar", "i maj", "the project starts in May",
                    "the project does not start in May"),
    "client_visit": ("{n}", "reser", "till kunden i Umeå", "{n} travels to the client in Umeå",
                     "{n} does not travel to the client in Umeå"),
    "budget": ("ledningsgruppen", "godkänner", "budgeten", "the management team approves the budget",
               "the management team does not approve the budget"),
    "on_call": ("{n}", "har", "jour på lördag", "{n} is on call on Saturday", "{n} is not on call on Saturday"),
    "delivery": ("leveransen", "kommer", "fram i tid", "the delivery arrives on time",
                 "the delivery does not arrive on time"),
    "training": ("{n}", "går", "utbildningen i Göteborg", "{n} attends the training in Gothenburg",
                 "{n} does not attend the training in Gothenburg"),
    "system_update": ("systemet", "uppdateras", "i helgen", "the system is updated at the weekend",
                      "the system is not updated at the weekend"),
    "report_sent": ("rapporten", "skickas", "till kunden i dag", "the report is sent to the client today",
                    "the report is not sent to the client today"),
    "interview": ("{n}", "håller", "i intervjun på tisdag", "{n} leads the interview on Tuesday",
                  "{n} does not lead the interview on Tuesday"),
    "workshop": ("{n}", "presenterar", "på workshopen i morgon", "{n} presents at the workshop tomorrow",
                 "{n} does not present at the workshop tomorrow"),
    "pilot": ("piloten", "förlängs", "till hösten", "the pilot is extended into the autumn",
              "the pilot is not extended into the autumn"),
}


def _event(event: str, name: str, positive: bool, lang: str, kind: str = "main") -> str:
    """The event (or its negation) as a clause: Swedish main, subordinate ("sub", after
    "om"/"att") or inverted ("inv", after a leading subordinate clause) word order."""
    subj, verb, rest, en, en_neg = EVENTS[event]
    if lang == "en":
        return (en if positive else en_neg).format(n=name)
    subj = subj.format(n=name)
    if kind == "main":
        return f"{subj} {verb} {rest}" if positive else f"{subj} {verb} inte {rest}"
    if kind == "sub":
        return f"{subj} {verb} {rest}" if positive else f"{subj} inte {verb} {rest}"
    return f"{verb} {subj} {rest}" if positive else f"{verb} {subj} inte {rest}"


def _event_undetermined(event: str, name: str) -> dict[str, str]:
    subj, verb, rest, en, _ = EVENTS[event]
    return {"sv": f"Det går inte att avgöra om {subj.format(n=name)} {verb} {rest}.",
            "en": f"It cannot be determined whether {en.format(n=name)}."}


#: form -> (premises, key, five distractors, mental models, lure) over literals 1, 2, ...
#: A literal is an event, negated or not (planned per item); -k is the opposite of
#: literal k. ["fact", k] says literal k holds, ["not", k] that it does not, ["and", j, k]
#: that both hold. Model counts after Johnson-Laird & Byrne (1991): modus ponens needs
#: the one explicit model of "if"; tollens needs the conditional fleshed out to its three
#: models; the invalid forms are rejected only when the alternative model is considered.
#: ``lure``: the options hold the conclusion of affirming the consequent or denying the
#: antecedent, which most adults accept (Schroyens & Schaeken, 2003).
CONDITIONALS: dict[str, tuple[list, list, list, int, bool]] = {
    "modus_ponens": ([["if", 1, 2], ["fact", 1]], ["fact", 2],
                     [["not", 2], ["undetermined", 2], ["not", 1], ["undetermined", 1], ["and", 1, -2]], 1, False),
    "modus_tollens": ([["if", 1, 2], ["not", 2]], ["not", 1],
                      [["fact", 1], ["undetermined", 1], ["fact", 2], ["undetermined", 2], ["and", 1, -2]], 3, False),
    "affirming_consequent": ([["if", 1, 2], ["fact", 2]], ["undetermined", 1],
                             [["fact", 1], ["not", 1], ["not", 2], ["undetermined", 2], ["if", 2, 1]], 2, True),
    "denying_antecedent": ([["if", 1, 2], ["not", 1]], ["undetermined", 2],
                           [["not", 2], ["fact", 2], ["fact", 1], ["undetermined", 1], ["if", -1, -2]], 2, True),
    "chain_ponens": ([["if", 1, 2], ["if", 2, 3], ["fact", 1]], ["fact", 3],
                     [["not", 3], ["undetermined", 3], ["not", 2], ["undetermined", 2], ["and", 1, -3]], 1, False),
    "chain_tollens": ([["if", 1, 2], ["if", 2, 3], ["not", 3]], ["not", 1],
                      [["fact", 1], ["undetermined", 1], ["fact", 2], ["undetermined", 2], ["and", 1, -3]], 3, False),
    "hypothetical_syllogism": ([["if", 1, 2], ["if", 2, 3]], ["if", 1, 3],
                               [["if", 3, 1], ["if", 2, 1], ["if", -1, -3], ["if", 1, -3], ["fact", 3]], 1, False),
    "chain3_ponens": ([["if", 1, 2], ["if", 2, 3], ["if", 3, 4], ["fact", 1]], ["fact", 4],
                      [["not", 4], ["undetermined", 4], ["not", 3], ["undetermined", 3], ["and", 1, -4]], 1, False),
    "chain3_tollens": ([["if", 1, 2], ["if", 2, 3], ["if", 3, 4], ["not", 4]], ["not", 1],
                       [["fact", 1], ["undetermined", 1], ["fact", 2], ["undetermined", 2], ["and", 1, -4]], 3, False),
    "chain_affirming": ([["if", 1, 2], ["if", 2, 3], ["fact", 3]], ["undetermined", 1],
                        [["fact", 1], ["not", 1], ["fact", 2], ["not", 2], ["if", 3, 1]], 2, True),
    "chain_denying": ([["if", 1, 2], ["if", 2, 3], ["not", 1]], ["undetermined", 3],
                      [["not", 3], ["fact", 3], ["not", 2], ["fact", 1], ["if", -1, -3]], 2, True),
}


def _negate(literal: Any) -> Any:
    return literal[1] if isinstance(literal, list) else ["not", literal]


def _conditional(rng: Rng, item_id: str, spec: tuple, practice: bool) -> dict[str, Any]:
    """A conditional item; ``spec`` = (form, number of negated literals in the rules)."""
    form, n_negated = spec
    premises, key_form, distractor_forms, n_models, lure = CONDITIONALS[form]
    n_lits = max(abs(s) for f in premises for s in f[1:] if isinstance(s, int))
    events = sample(rng, sorted(EVENTS), n_lits)
    names = sample(rng, NAMES, n_lits)
    chosen = set(_take(rng, list(range(1, n_lits + 1)), 0 if practice else n_negated))
    negated = {k: k in chosen for k in range(1, n_lits + 1)}

    def clause(s: int, lang: str, kind: str = "main") -> str:
        """Literal s (negative: its opposite) as a Swedish/English clause."""
        k = abs(s)
        return _event(events[k - 1], names[k - 1], (s > 0) != negated[k], lang, kind)

    def literal(s: int) -> Any:
        k = abs(s)
        base = ["not", events[k - 1]] if negated[k] else events[k - 1]
        return base if s > 0 else _negate(base)

    def logic(f: list) -> list:
        """Template form -> logical form over atoms (events)."""
        op = f[0]
        if op in ("if", "and"):
            return [op, literal(f[1]), literal(f[2])]
        if op == "undetermined":
            return ["undetermined", events[f[1] - 1]]
        holds = (op == "fact") != negated[f[1]]  # does the event happen?
        return ["fact" if holds else "not", events[f[1] - 1]]

    def text(f: list) -> dict[str, str]:
        op = f[0]
        if op == "if":
            return {lang: f"{ {'sv': 'Om', 'en': 'If'}[lang]} {clause(f[1], lang, 'sub')}, {clause(f[2], lang, 'inv')}."
                    for lang in LANGS}
        if op == "and":
            word = {"sv": "och", "en": "and"}
            return {lang: f"{cap(clause(f[1], lang))} {word[lang]} {clause(f[2], lang)}." for lang in LANGS}
        if op == "undetermined":
            return _event_undetermined(events[f[1] - 1], names[f[1] - 1])
        return {lang: cap(clause(f[1] if op == "fact" else -f[1], lang)) + "." for lang in LANGS}

    key = (text(key_form), logic(key_form))
    distractors = [(text(f), logic(f)) for f in distractor_forms]
    options, key_index = shuffle_options(rng, key, distractors)
    premise_texts = [text(p) for p in premises]
    stem = {lang: "\n".join(t[lang] for t in premise_texts) + "\n\n" + CONCLUSION_QUESTION[lang] for lang in LANGS}
    q = {lang: {k: _quote(clause(k, lang), lang) for k in range(1, n_lits + 1)} for lang in LANGS}
    logical_premises = [logic(p) for p in premises]
    features = {
        "form": form,
        "logic": "propositional",
        "n_premises": len(premises),
        "n_terms": n_lits,
        "n_models": n_models,
        "n_negations": _count_negations([*logical_premises, key[1]]),
        "tollens": form in TOLLENS_FORMS,
        "key_undetermined": key_form[0] == "undetermined",
        "lure": lure,
        "n_converse": 0,
    }
    structure = {"logic": "propositional", "premises": logical_premises, "options": [f for _, f in options]}
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{form}", practice=practice, stem=stem,
        options=options, key=key_index, explanation=_conditional_explanation(form, q), features=features,
        structure=structure,
    )


def _conditional_explanation(form: str, q: dict[str, dict[int, str]]) -> dict[str, str]:
    """Plain explanation quoting the literals (keeps Swedish word order out of the way)."""
    sv, en = q["sv"], q["en"]
    texts = {
        "modus_ponens": (f"Villkoret i regeln är uppfyllt ({sv[1]}). Då gäller också {sv[2]}.",
                         f"The condition of the rule is met ({en[1]}). So {en[2]} holds as well."),
        "modus_tollens": ((f"Om {sv[1]} vore sant, skulle också {sv[2]} vara sant. Men det är det inte, så "
                           f"{sv[1]} kan inte vara sant heller."),
                          (f"If {en[1]} were true, {en[2]} would be true as well. It is not, so {en[1]} "
                           f"cannot be true either.")),
        "affirming_consequent": ((f"Regeln säger bara vad som händer om {sv[1]}. Men {sv[2]} kan stämma av "
                                  f"andra skäl, så det går inte att avgöra om {sv[1]} stämmer."),
                                 (f"The rule only says what happens if {en[1]}. But {en[2]} can be true for "
                                  f"other reasons, so it cannot be determined whether {en[1]} is true.")),
        "denying_antecedent": ((f"Regeln säger bara vad som händer om {sv[1]}. Här är det inte så, och då "
                                f"säger regeln ingenting om {sv[2]}."),
                               (f"The rule only says what happens if {en[1]}. That is not the case here, "
                                f"and then the rule says nothing about {en[2]}.")),
    }
    if form in texts:
        s, e = texts[form]
        return {"sv": s, "en": e}
    if form.startswith("chain3"):
        chain_sv = f"Enligt reglerna ger {sv[1]} {sv[2]}, {sv[2]} ger {sv[3]} och {sv[3]} ger {sv[4]}."
        chain_en = f"By the rules, {en[1]} leads to {en[2]}, {en[2]} leads to {en[3]} and {en[3]} leads to {en[4]}."
        if form == "chain3_ponens":
            return {"sv": f"{chain_sv} Villkoret {sv[1]} är uppfyllt, alltså gäller {sv[4]}.",
                    "en": f"{chain_en} Here {en[1]} is true, so {en[4]} holds."}
        return {"sv": (f"{chain_sv} Men {sv[4]} stämmer inte. Då kan inte {sv[3]} stämma, och alltså inte "
                       f"heller {sv[2]} eller {sv[1]}."),
                "en": (f"{chain_en} But {en[4]} is not true. Then {en[3]} cannot be true, and so neither can "
                       f"{en[2]} or {en[1]}.")}
    chain_sv = f"Enligt reglerna ger {sv[1]} {sv[2]}, och {sv[2]} ger {sv[3]}."
    chain_en = f"By the rules, {en[1]} leads to {en[2]}, and {en[2]} leads to {en[3]}."
    if form == "chain_ponens":
        return {"sv": f"{chain_sv} Villkoret {sv[1]} är uppfyllt, alltså gäller {sv[3]}.",
                "en": f"{chain_en} Here {en[1]} is true, so {en[3]} holds."}
    if form == "chain_tollens":
        return {"sv": f"{chain_sv} Men {sv[3]} stämmer inte, så {sv[1]} kan inte stämma heller.",
                "en": f"{chain_en} But {en[3]} is not true, so {en[1]} cannot be true either."}
    if form == "hypothetical_syllogism":
        return {"sv": f"{chain_sv} Därför ger {sv[1]} också {sv[3]}.",
                "en": f"{chain_en} So {en[1]} also leads to {en[3]}."}
    if form == "chain_affirming":
        return {"sv": (f"{chain_sv} Men reglerna gäller bara i den riktningen: {sv[3]} kan stämma av andra "
                       f"skäl. Därför går det inte att avgöra om {sv[1]} stämmer."),
                "en": (f"{chain_en} But the rules only work in that direction: {en[3]} can be true for other "
                       f"reasons. So it cannot be determined whether {en[1]} is true.")}
    if form == "chain_denying":
        return {"sv": (f"{chain_sv} Men här stämmer inte {sv[1]}, och då säger reglerna ingenting om {sv[2]} "
                       f"eller {sv[3]}: de kan stämma av andra skäl."),
                "en": (f"{chain_en} But {en[1]} is not true here, and then the rules say nothing about {en[2]} "
                       f"or {en[3]}: they can be true for other reasons.")}
    raise ValueError(form)


# --------------------------------------------------------------------------- conditionals about an ordering

#: form -> (mental models, tollens, key undetermined, lure). People A, B, C (, D); the
#: rule says "if A ranks above B, then E" (E an event, possibly negated):
#: ``order_ponens``: A > B > C (> D) by a chain, the rule's condition is "A above the last
#: one" -> E. ``order_tollens``: not E, and A > C (> D) -> B above the last one (the
#: denied E reverses A and B). ``order_affirming``: E and B > C (> D) -> how A and the last
#: one compare cannot be determined (affirming the consequent would give A > B).
#: ``order_denying``: B > C (> D) > A, so the condition fails -> E cannot be determined
#: (denying the antecedent would give not E).
MIXED: dict[str, tuple[int, bool, bool, bool]] = {
    "order_ponens": (1, False, False, False),
    "order_tollens": (3, True, False, False),
    "order_affirming": (2, False, True, True),
    "order_denying": (2, False, True, True),
}


def _mixed(rng: Rng, item_id: str, spec: tuple, practice: bool) -> dict[str, Any]:
    """A conditional about an ordering; ``spec`` = (form, number of people, event negated?)."""
    form, n_people, negated = spec
    n_models, tollens, undetermined, lure = MIXED[form]
    rel_id = pick(rng, PEOPLE_RELATIONS)
    rel = RELATIONS[rel_id]
    people = sample(rng, NAMES, n_people)
    event = pick(rng, sorted(EVENTS))
    who = pick(rng, people)
    phrasings: list[str] = []

    def phrasing() -> str:
        phrasings.append("gt" if practice else pick(rng, ("gt", "lt")))
        return phrasings[-1]

    def event_clause(holds: bool, lang: str, kind: str = "main") -> str:
        """The rule's consequence (``holds``) or its opposite."""
        return _event(event, who, holds != negated, lang, kind)

    def event_option(holds: bool) -> Option:
        happens = holds != negated
        return ({lang: cap(event_clause(holds, lang)) + "." for lang in LANGS},
                ["fact" if happens else "not", event])

    def compare(hi: str, lo: str) -> tuple[dict[str, str], list]:
        return _compare(rel, hi, lo, phrasing()), ["gt", hi, lo]

    def compare_option(hi: str, lo: str) -> Option:
        return _compare(rel, hi, lo, pick(rng, ("gt", "lt"))), ["gt", hi, lo]

    def pair_undetermined(x: str, y: str) -> Option:
        return {lang: PAIR_UNDETERMINED[lang].format(x=x, y=y) for lang in LANGS}, ["undetermined_pair", x, y]

    a, b = people[0], people[1]
    last = people[-1]
    if form == "order_ponens":
        a, b = people[0], people[-1]  # the condition is the chain's two ends
        ordering = [compare(people[i], people[i + 1]) for i in range(n_people - 1)]
    elif form == "order_tollens":
        ordering = [compare(x, y) for x, y in itertools.pairwise([a, *people[2:]])]
    elif form == "order_affirming":
        ordering = [compare(x, y) for x, y in itertools.pairwise(people[1:])]
    else:  # order_denying: B > C (> D) > A
        ordering = [compare(x, y) for x, y in itertools.pairwise([*people[1:], a])]
    p_rule = phrasing()
    rule = ({lang: f"{ {'sv': 'Om', 'en': 'If'}[lang]} {_clause(rel, a, b, p_rule, lang)}, "
                   f"{event_clause(True, lang, 'inv')}." for lang in LANGS},
            ["if", ["gt", a, b], ["not", event] if negated else event])
    premises = [*ordering, rule]
    ant = {lang: _quote(rel["gt"][lang].format(x=a, y=b), lang) for lang in LANGS}
    cons = {lang: _quote(event_clause(True, lang), lang) for lang in LANGS}
    phrase = {lang: _phrase(rel, lang) for lang in LANGS}
    if form == "order_ponens":
        key = event_option(True)
        distractors = [event_option(False), (_event_undetermined(event, who), ["undetermined", event]),
                       compare_option(last, a), pair_undetermined(a, last), compare_option(people[1], a)]
        chain = " → ".join(people)
        explanation = {
            "sv": (f"Kedjan {chain} (→ betyder ”{phrase['sv']}”) visar att {rel['gt']['sv'].format(x=a, y=b)}. "
                   f"Villkoret i regeln är alltså uppfyllt, så {event_clause(True, 'sv')}."),
            "en": (f"The chain {chain} (→ means “{phrase['en']}”) shows that {rel['gt']['en'].format(x=a, y=b)}. "
                   f"So the condition of the rule is met, and {event_clause(True, 'en')}."),
        }
    elif form == "order_tollens":
        premises.append(event_option(False))
        key = compare_option(b, last)
        distractors = [compare_option(last, b), pair_undetermined(b, last), compare_option(a, b), event_option(True),
                       compare_option(last, a)]
        chain = " → ".join([b, a, *people[2:]])
        explanation = {
            "sv": (f"Om {ant['sv']} stämde, skulle också {cons['sv']} stämma. Det gör det inte, så {ant['sv']} "
                   f"stämmer inte. Då gäller kedjan {chain} (→ betyder ”{phrase['sv']}”), vilket visar att "
                   f"{rel['gt']['sv'].format(x=b, y=last)}."),
            "en": (f"If {ant['en']} were true, {cons['en']} would be true as well. It is not, so {ant['en']} is "
                   f"not true. Then the chain {chain} (→ means “{phrase['en']}”) holds, which shows that "
                   f"{rel['gt']['en'].format(x=b, y=last)}."),
        }
    elif form == "order_affirming":
        premises.append(event_option(True))
        key = pair_undetermined(a, last)
        distractors = [compare_option(a, last), compare_option(last, a), compare_option(a, b), compare_option(b, a),
                       pair_undetermined(b, last)]
        explanation = {
            "sv": (f"Regeln säger bara att {cons['sv']} gäller om {ant['sv']}, inte tvärtom: {cons['sv']} kan "
                   f"stämma av andra skäl. Därför vet vi inte hur {a} och {b} förhåller sig till varandra, och då "
                   f"går det inte heller att avgöra hur {a} och {last} förhåller sig till varandra."),
            "en": (f"The rule only says that {cons['en']} holds if {ant['en']}, not the other way round: "
                   f"{cons['en']} can be true for other reasons. So we do not know how {a} and {b} compare, "
                   f"and then it cannot be determined how {a} and {last} compare either."),
        }
    else:
        key = (_event_undetermined(event, who), ["undetermined", event])
        distractors = [event_option(False), event_option(True), compare_option(a, b), compare_option(a, people[2]),
                       pair_undetermined(a, b)]
        chain = " → ".join([*people[1:], a])
        explanation = {
            "sv": (f"Kedjan {chain} (→ betyder ”{phrase['sv']}”) visar att {ant['sv']} inte stämmer. Men "
                   f"regeln säger bara vad som gäller om {ant['sv']}; annars kan {cons['sv']} stämma eller "
                   f"inte. Därför går det inte att avgöra om {cons['sv']} stämmer."),
            "en": (f"The chain {chain} (→ means “{phrase['en']}”) shows that {ant['en']} is not true. But the "
                   f"rule only says what holds if {ant['en']}; otherwise {cons['en']} may or may not be true. "
                   f"So it cannot be determined whether {cons['en']} is true."),
        }
    order = [int(i) for i in rng.permutation(len(premises))]
    premises = [premises[i] for i in order]
    options, key_index = shuffle_options(rng, key, distractors)
    stem = {lang: "\n".join(p[0][lang] for p in premises) + "\n\n" + CONCLUSION_QUESTION[lang] for lang in LANGS}
    logical_premises = [p[1] for p in premises]
    features = {
        "form": form,
        "logic": "mixed",
        "n_premises": len(premises),
        "n_terms": n_people + 1,
        "n_models": n_models,
        "n_negations": _count_negations([*logical_premises, key[1]]),
        "tollens": tollens,
        "key_undetermined": undetermined,
        "lure": lure,
        "n_converse": phrasings.count("lt"),
    }
    structure = {"logic": "mixed", "relation": rel_id, "entities": people, "premises": logical_premises,
                 "options": [f for _, f in options]}
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{form}", practice=practice, stem=stem,
        options=options, key=key_index, explanation=explanation, features=features, structure=structure,
    )


# --------------------------------------------------------------------------- generation

#: The bank's plan: (item model and structure, weight). Orderings: (form, terms, one more
#: premise than a tree?, key undetermined?); quantified statements: (form,); conditionals:
#: (form, negated parts of the rules); conditionals about an ordering: (form, people,
#: consequence negated?). The weights spread the a-priori difficulty over the ability
#: range (about as many items below b = -1.5 as a third of those above b = +1.5) and keep
#: every item family small (item_banks.families).
PLAN: list[tuple[tuple, int]] = [
    # orderings: (form, terms, extra premise, key undetermined[, least and most orders open])
    (("ordering_pair", 3, 0, False), 6),
    (("ordering_pair", 3, 0, True), 2),
    (("ordering_pair", 4, 0, False), 4),
    (("ordering_pair", 4, 0, True), 3),
    (("ordering_pair", 5, 0, False), 3),
    (("ordering_pair", 5, 0, True), 2),
    (("ordering_pair", 5, 1, False), 2),
    (("ordering_pair", 5, 1, True), 1),
    (("ordering_pair", 6, 0, False), 2),
    (("ordering_pair", 6, 0, False, 6, 16), 3),
    (("ordering_pair", 6, 0, True, 2, 8), 2),
    (("ordering_pair", 6, 1, True, 2, 6), 2),
    (("ordering_extreme", 5, 0, False), 3),
    (("ordering_extreme", 5, 0, True), 1),
    (("ordering_extreme", 6, 0, False), 2),
    (("ordering_extreme", 6, 0, True), 1),
    # quantified statements: (form,)
    (("all_instance",), 3),
    (("all_tollens",), 2),
    (("all_converse",), 1),
    (("all_denial",), 1),
    (("all_chain",), 2),
    (("none_instance",), 2),
    (("none_tollens",), 1),
    (("some_chain",), 2),
    (("some_none",), 3),
    (("some_some",), 1),
    (("shared_predicate",), 1),
    (("none_none",), 2),
    (("all_chain_instance",), 2),
    (("all_chain_tollens",), 2),
    (("all_chain_converse",), 2),
    (("all_chain_denial",), 2),
    (("none_chain_instance",), 3),
    (("none_chain_tollens",), 2),
    # conditionals: (form, negated parts of the rules)
    (("modus_ponens", 0), 5),
    (("modus_ponens", 1), 2),
    (("modus_tollens", 0), 2),
    (("modus_tollens", 1), 1),
    (("affirming_consequent", 0), 2),
    (("affirming_consequent", 1), 1),
    (("denying_antecedent", 0), 2),
    (("denying_antecedent", 1), 1),
    (("chain_ponens", 0), 1),
    (("chain_ponens", 1), 3),
    (("chain_tollens", 0), 2),
    (("chain_tollens", 1), 2),
    (("hypothetical_syllogism", 0), 3),
    (("hypothetical_syllogism", 1), 1),
    (("chain3_ponens", 0), 2),
    (("chain3_ponens", 1), 1),
    (("chain3_tollens", 0), 2),
    (("chain3_tollens", 1), 1),
    (("chain3_tollens", 2), 2),
    (("chain_affirming", 0), 1),
    (("chain_affirming", 1), 1),
    (("chain_denying", 0), 2),
    (("chain_denying", 1), 1),
    # conditionals about an ordering: (form, people, consequence negated)
    (("order_ponens", 3, False), 2),
    (("order_ponens", 4, False), 1),
    (("order_ponens", 4, True), 3),
    (("order_tollens", 3, False), 2),
    (("order_tollens", 4, False), 2),
    (("order_tollens", 5, False), 2),
    (("order_affirming", 3, False), 1),
    (("order_affirming", 4, False), 1),
    (("order_denying", 3, False), 1),
    (("order_denying", 4, False), 1),
]
PRACTICE_PLAN: list[tuple[tuple, int]] = [(("ordering_pair", 3, 0, False), 1)]

#: item models and their total weight in ``PLAN``
MODELS: list[tuple[str, int]] = [
    (form, sum(w for spec, w in PLAN if spec[0] == form)) for form in dict.fromkeys(spec[0] for spec, _ in PLAN)
]


def _make(rng: Rng, item_id: str, spec: tuple, practice: bool) -> dict[str, Any] | None:
    form = spec[0]
    if form.startswith("ordering_"):
        return _ordering(rng, item_id, spec, practice)
    if form in SYLLOGISMS:
        return _syllogism(rng, item_id, spec, practice)
    if form in MIXED:
        return _mixed(rng, item_id, spec, practice)
    return _conditional(rng, item_id, spec, practice)


def _move_key(item: dict[str, Any], position: int) -> dict[str, Any]:
    """The item with its key swapped into ``position`` (texts and logical forms alike)."""
    k = item["key"]
    for options in (item["options"], item["structure"]["options"]):
        options[k], options[position] = options[position], options[k]
    item["key"] = position
    return item


def generate_deductive_items(
    rng: Rng,
    n: int,
    *,
    id_prefix: str = "DE",
    start: int = 1,
    practice: bool = False,
    avoid: Collection = (),
) -> list[dict[str, Any]]:
    """``n`` distinct deductive items (ids ``DE-001``..., practice ``DE-P01``...).

    Operational items follow ``PLAN`` (orderings, quantified statements, conditionals and
    conditionals about an ordering, each with six options); practice items are
    three-person chains in plain phrasing.
    """
    specs = iter(plan(PRACTICE_PLAN if practice else PLAN, n, rng))
    # the key's position is planned too, so that every position is the key equally often
    positions = iter(plan([(k, 1) for k in range(N_OPTIONS)], n, rng))
    current: dict[str, tuple[tuple, int]] = {}

    def make(item_id: str) -> dict[str, Any] | None:
        if item_id not in current:
            current[item_id] = (next(specs), next(positions))
        spec, position = current[item_id]
        item = _make(rng, item_id, spec, practice)
        # Teams are named in Swedish while an item is built (the names are the structure's
        # ids); the English texts get the English names (since deductive-3.1).
        return None if item is None else with_english_names(_move_key(item, position))

    return unique_items(make, item_ids(id_prefix, start, n, practice), avoid)

"""Deductive reasoning item models: premises in Swedish and English, one valid conclusion.

Content is set at work (meetings, projects, systems, teams) with neutral Swedish first
names; no real persons. Three kinds of logic, each keeping the machine-readable logical
form of every premise and option in ``structure`` so that
:func:`item_banks.checks.check_deductive_item` can confirm by brute force that exactly the
key follows:

Orderings (``structure.logic = "order"``), 3-5 people or teams
    ``deductive.ordering_pair``: which comparison follows (or "cannot be determined");
    ``deductive.ordering_extreme``: who ranks highest/lowest (or "cannot be determined").
    Premises are a random connected set of comparisons (a chain or a tree), phrased with
    the relation or its converse ("longer than" / "shorter than").
    Forms: ``["gt", x, y]`` (x ranks above y), ``["undetermined_pair", x, y]``,
    ``["top", x]``, ``["bottom", x]``, ``["undetermined", "top" | "bottom"]``.

Quantified statements (``logic = "monadic"``), "all / no / at least one"
    ``deductive.<form>`` for the forms in ``SYLLOGISMS``. Forms: ``["all", P, Q]``,
    ``["none", P, Q]``, ``["some", P, Q]``, ``["some_not", P, Q]`` (at least one P is not Q),
    ``["is", name, P]``, ``["is_not", name, P]``, ``["undetermined", name, P]``.

Conditionals (``logic = "propositional"``)
    modus ponens and tollens, the invalid forms affirming the consequent and denying
    the antecedent (key: "cannot be determined"), chains of two conditionals and the
    hypothetical syllogism; the parts of a rule may be negated. Forms: ``["if", L1, L2]``
    with literals ``atom`` or ``["not", atom]``; ``["fact", atom]``, ``["not", atom]``,
    ``["undetermined", atom]``.

``features`` carries the difficulty features (``form``, ``logic``, ``n_premises``,
``n_terms``, ``n_models``, ``n_negations``, ``tollens``, ``key_undetermined``,
``n_converse``); ``n_models`` is the number of mental models (Johnson-Laird & Byrne 1991):
for orderings the number of orders consistent with the premises, for the other forms the
count in ``SYLLOGISMS`` / ``CONDITIONALS``.
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

MODEL_VERSION = "deductive-2.0"
TYPE = "deductive"

#: Neutral Swedish first names (no real persons).
NAMES = (
    "Anna", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan", "Ida", "Jonas",
    "Karin", "Leo", "Maja", "Nils", "Omar", "Petra", "Sara", "Tove", "Ulf", "Vera",
    "Amir", "Linnea", "Erik", "Sofia", "Mats", "Yasmin",
)
TEAMS = ("Team Norr", "Team Syd", "Team Öst", "Team Väst", "Team Mitt")

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
}


def _compare(rel: dict, hi: str, lo: str, phrasing: str) -> dict[str, str]:
    """Sentence saying ``hi`` ranks above ``lo``, phrased with "gt" or its converse "lt"."""
    if phrasing == "gt":
        return {lang: cap(rel["gt"][lang].format(x=hi, y=lo)) + "." for lang in LANGS}
    return {lang: cap(rel["lt"][lang].format(x=lo, y=hi)) + "." for lang in LANGS}


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


def _ordering(rng: Rng, item_id: str, question: str, practice: bool) -> dict[str, Any] | None:
    rel_id = pick(rng, sorted(RELATIONS))
    rel = RELATIONS[rel_id]
    if practice:
        n_terms, chain = 3, True
    else:
        n_terms = pick(rng, (3, 4, 4, 5, 5) if question == "pair" else (3, 4, 4, 5, 5, 5))
        chain = rng.random() < (0.4 if question == "pair" else 0.2)
    pool = NAMES if rel["entities"] == "people" else TEAMS
    ents = sample(rng, pool, n_terms)
    edges = _premise_edges(rng, ents, chain)
    models = _orders(ents, edges)
    phrasings = ["gt" if practice else pick(rng, ("gt", "lt")) for _ in edges]
    order = list(range(len(edges))) if practice else [int(i) for i in rng.permutation(len(edges))]
    premises = [_compare(rel, *edges[i], phrasings[i]) for i in order]

    def above(a: str, b: str) -> bool:
        return all(m[a] < m[b] for m in models)

    def compare_option(hi: str, lo: str) -> Option:
        return _compare(rel, hi, lo, "gt" if practice else pick(rng, ("gt", "lt"))), ["gt", hi, lo]

    def pair_undetermined(x: str, y: str) -> Option:
        return {lang: PAIR_UNDETERMINED[lang].format(x=x, y=y) for lang in LANGS}, ["undetermined_pair", x, y]

    pairs = [(a, b) for a, b in itertools.permutations(ents, 2) if above(a, b)]
    open_pairs = [(a, b) for a, b in itertools.combinations(ents, 2) if not above(a, b) and not above(b, a)]
    direct = set(edges)
    if question == "pair":
        inferred = [p for p in pairs if p not in direct]
        undetermined = practice is False and open_pairs and (not inferred or rng.random() < 0.5)
        if not undetermined and not inferred:
            return None
        false_claims = [(b, a) for a, b in pairs]
        if undetermined:
            x, y = pick(rng, open_pairs)
            key = pair_undetermined(x, y)
            distractors = [compare_option(x, y), compare_option(y, x)]
            others = [p for p in false_claims if set(p) != {x, y}]
            explanation = {
                "sv": f"Uppgifterna jämför aldrig {x} och {y}, varken direkt eller via en kedja av andra, "
                      f"så båda ordningarna är möjliga.",
                "en": f"The information never compares {x} and {y}, neither directly nor through a chain "
                      f"of others, so both orders are possible.",
            }
        else:
            hi, lo = pick(rng, inferred)
            key = compare_option(hi, lo)
            distractors = [compare_option(lo, hi), pair_undetermined(hi, lo)]
            others = [p for p in false_claims if set(p) != {hi, lo}]
            others += [p for a, b in open_pairs for p in ((a, b), (b, a))]
            chain_text = " → ".join(_path(edges, hi, lo) or [])
            explanation = {
                lang: {
                    "sv": "Kedjan {c} (→ betyder ”{p}”) visar att {k}.",
                    "en": "The chain {c} (→ means “{p}”) shows that {k}.",
                }[lang].format(c=chain_text, p=_phrase(rel, lang), k=rel["gt"][lang].format(x=hi, y=lo))
                for lang in LANGS
            }
        if len(others) < 2:
            return None
        distractors += [compare_option(*p) for p in sample(rng, others, 2)]
        question_text = CONCLUSION_QUESTION
        key_undetermined = bool(undetermined)
    else:
        which = pick(rng, ("top", "bottom"))
        rank = 0 if which == "top" else n_terms - 1
        candidates = sorted({e for m in models for e in ents if m[e] == rank}, key=ents.index)
        determined = len(candidates) == 1
        name_options = [(both(e), [which, e]) for e in ents]
        undetermined_option = (dict(UNDETERMINED), ["undetermined", which])
        if determined:
            key = name_options[ents.index(candidates[0])]
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
        key_undetermined = not determined
    options, key_index = shuffle_options(rng, key, distractors)
    stem = {lang: "\n".join(p[lang] for p in premises) + "\n\n" + question_text[lang] for lang in LANGS}
    features = {
        "form": f"ordering_{question}",
        "logic": "order",
        "n_premises": len(edges),
        "n_terms": n_terms,
        "n_models": len(models),
        "n_negations": 0,
        "tollens": False,
        "key_undetermined": key_undetermined,
        "n_converse": phrasings.count("lt"),
    }
    structure = {
        "logic": "order",
        "relation": rel_id,
        "entities": ents,
        "premises": [["gt", hi, lo] for hi, lo in (edges[i] for i in order)],
        "options": [form for _, form in options],
    }
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.ordering_{question}", practice=practice,
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
        else:
            raise ValueError(op)
    return out


#: form -> (premises, key, distractors, mental models) over predicates A, B, C and a
#: person n. The model counts are our reading of Johnson-Laird & Byrne (1991): forms that
#: need the implicit cases made explicit (tollens, the invalid converse/denial, "some ...
#: no ...") count as more models.
SYLLOGISMS: dict[str, tuple[list, list, list, int]] = {
    "all_instance": ([["all", "A", "B"], ["is", "n", "A"]], ["is", "n", "B"],
                     [["is_not", "n", "B"], ["all", "B", "A"], ["undetermined", "n", "B"]], 1),
    "all_tollens": ([["all", "A", "B"], ["is_not", "n", "B"]], ["is_not", "n", "A"],
                    [["is", "n", "A"], ["all", "B", "A"], ["undetermined", "n", "A"]], 2),
    "all_converse": ([["all", "A", "B"], ["is", "n", "B"]], ["undetermined", "n", "A"],
                     [["is", "n", "A"], ["is_not", "n", "A"], ["all", "B", "A"]], 2),
    "all_denial": ([["all", "A", "B"], ["is_not", "n", "A"]], ["undetermined", "n", "B"],
                   [["is_not", "n", "B"], ["is", "n", "B"], ["all", "B", "A"]], 2),
    "all_chain": ([["all", "A", "B"], ["all", "B", "C"]], ["all", "A", "C"],
                  [["all", "C", "A"], ["all", "B", "A"], ["none", "A", "C"]], 1),
    "none_instance": ([["none", "A", "B"], ["is", "n", "A"]], ["is_not", "n", "B"],
                      [["is", "n", "B"], ["undetermined", "n", "B"], ["some", "B", "A"]], 1),
    "none_tollens": ([["none", "A", "B"], ["is", "n", "B"]], ["is_not", "n", "A"],
                     [["is", "n", "A"], ["undetermined", "n", "A"], ["all", "B", "A"]], 1),
    "some_chain": ([["all", "A", "B"], ["some", "C", "A"]], ["some", "C", "B"],
                   [["all", "C", "B"], ["none", "C", "B"], ["all", "B", "A"]], 1),
    "some_none": ([["some", "A", "B"], ["none", "B", "C"]], ["some_not", "A", "C"],
                  [["none", "A", "C"], ["some", "A", "C"], ["all", "A", "C"]], 3),
}
TOLLENS_FORMS = {"all_tollens", "modus_tollens", "chain_tollens"}
NEGATED_OPS = {"none", "is_not", "some_not", "not"}


def _syllogism_explanation(form: str, p: dict[str, str], n: str) -> dict[str, str]:
    a_sv, b_sv = _pred(p["A"], "sv"), _pred(p["B"], "sv")
    a_en, b_en = _pred(p["A"], "en"), _pred(p["B"], "en")
    c_sv = _pred(p["C"], "sv") if "C" in p else ""
    c_en = _pred(p["C"], "en") if "C" in p else ""
    # each text is built only for its own form (not every form has a predicate C)
    texts = {
        "all_instance": lambda: (f"Alla som {a_sv} {b_sv}, och {n} {a_sv}. Därför gäller att {n} {b_sv}.",
                         f"Everyone who {a_en} {b_en}, and {n} {a_en}. So {n} {b_en}."),
        "all_tollens": lambda: ((f"Alla som {a_sv} {b_sv}. Eftersom {n} {_pred(p['B'], 'sv', True, True)}, kan {n} "
                        f"inte vara en av dem som {a_sv}."),
                        (f"Everyone who {a_en} {b_en}. Since {n} {_pred(p['B'], 'en', True)}, {n} cannot be "
                        f"someone who {a_en}.")),
        "all_converse": lambda: ((f"Alla som {a_sv} {b_sv}, men det betyder inte att alla som {b_sv} {a_sv}. Därför "
                         f"går det inte att avgöra om {n} {a_sv}."),
                         (f"Everyone who {a_en} {b_en}, but that does not mean that everyone who {b_en} "
                         f"{a_en}. So it cannot be determined whether {n} {a_en}.")),
        "all_denial": lambda: ((f"Första påståendet säger bara något om den som {a_sv}. {n} "
                       f"{_pred(p['A'], 'sv', True)}, så det går inte att avgöra om {n} {b_sv}."),
                       (f"The first statement only says something about a person who {a_en}. {n} "
                       f"{_pred(p['A'], 'en', True)}, so it cannot be determined whether {n} {b_en}.")),
        "all_chain": lambda: ((f"Alla som {a_sv} {b_sv}, och alla som {b_sv} {c_sv}. Därför gäller att alla som "
                      f"{a_sv} {c_sv}."),
                      (f"Everyone who {a_en} {b_en}, and everyone who {b_en} {c_en}. So everyone who "
                      f"{a_en} {c_en} as well.")),
        "none_instance": lambda: ((f"Ingen som {a_sv} {b_sv}, och {n} {a_sv}. Därför gäller att {n} "
                          f"{_pred(p['B'], 'sv', True, True)}."),
                          f"No one who {a_en} {b_en}, and {n} {a_en}. So {n} {_pred(p['B'], 'en', True)}."),
        "none_tollens": lambda: ((f"Ingen som {a_sv} {b_sv}. Eftersom {n} {b_sv}, kan {n} inte vara en av dem som "
                         f"{a_sv}."),
                         f"No one who {a_en} {b_en}. Since {n} {b_en}, {n} cannot be someone who {a_en}."),
        "some_chain": lambda: ((f"Minst en person som {c_sv} {a_sv}, och alla som {a_sv} {b_sv}. Därför gäller att "
                       f"minst en person som {c_sv} {b_sv}."),
                       (f"At least one person who {c_en} {a_en}, and everyone who {a_en} {b_en}. So at "
                       f"least one person who {c_en} {b_en}.")),
        "some_none": lambda: ((f"Minst en person som {a_sv} {b_sv}, och ingen som {b_sv} {c_sv}. Därför gäller att "
                      f"minst en person som {a_sv} {_pred(p['C'], 'sv', True, True)}."),
                      (f"At least one person who {a_en} {b_en}, and no one who {b_en} {c_en}. So at least "
                      f"one person who {a_en} {_pred(p['C'], 'en', True)}.")),
    }
    sv, en = texts[form]()
    return {"sv": sv, "en": en}


def _count_negations(forms: list) -> int:
    count = 0
    for f in forms:
        if isinstance(f, list):
            count += (f[0] in NEGATED_OPS) + _count_negations(f[1:])
    return count


def _syllogism(rng: Rng, item_id: str, form: str, practice: bool) -> dict[str, Any]:
    premises, key_form, distractor_forms, n_models = SYLLOGISMS[form]
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
        "key_undetermined": key_form[0] == "undetermined",
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
}

#: form -> (premises, key, distractors, mental models) over literals 1, 2, 3. A literal is
#: an event, negated or not (drawn per item). ["fact", k] says literal k holds, ["not", k]
#: that it does not. Model counts after Johnson-Laird & Byrne (1991): modus ponens needs
#: the one explicit model of "if"; tollens needs the conditional fleshed out to its three
#: models; the invalid forms are rejected only when the alternative model is considered.
CONDITIONALS: dict[str, tuple[list, list, list, int]] = {
    "modus_ponens": ([["if", 1, 2], ["fact", 1]], ["fact", 2],
                     [["not", 2], ["not", 1], ["undetermined", 2]], 1),
    "modus_tollens": ([["if", 1, 2], ["not", 2]], ["not", 1],
                      [["fact", 1], ["fact", 2], ["undetermined", 1]], 3),
    "affirming_consequent": ([["if", 1, 2], ["fact", 2]], ["undetermined", 1],
                             [["fact", 1], ["not", 1], ["not", 2]], 2),
    "denying_antecedent": ([["if", 1, 2], ["not", 1]], ["undetermined", 2],
                           [["fact", 2], ["not", 2], ["fact", 1]], 2),
    "chain_ponens": ([["if", 1, 2], ["if", 2, 3], ["fact", 1]], ["fact", 3],
                     [["not", 3], ["undetermined", 3], ["not", 2]], 1),
    "chain_tollens": ([["if", 1, 2], ["if", 2, 3], ["not", 3]], ["not", 1],
                      [["fact", 1], ["undetermined", 1], ["fact", 2]], 3),
    "hypothetical_syllogism": ([["if", 1, 2], ["if", 2, 3]], ["if", 1, 3],
                               [["if", 3, 1], ["if", 2, 1], ["fact", 3]], 1),
}


def _conditional(rng: Rng, item_id: str, form: str, practice: bool) -> dict[str, Any]:
    premises, key_form, distractor_forms, n_models = CONDITIONALS[form]
    n_lits = max(s for f in premises for s in f[1:] if isinstance(s, int))
    events = sample(rng, sorted(EVENTS), n_lits)
    names = sample(rng, NAMES, n_lits)
    # negate each part of the rule(s) with probability 1/4 (never in practice items)
    negated = {k: (not practice) and rng.random() < 0.25 for k in range(1, n_lits + 1)}

    def clause(k: int, polarity: bool, lang: str, kind: str = "main") -> str:
        """Literal k (or its opposite when polarity is False) as a Swedish/English clause."""
        subj, verb, rest, en, en_neg = EVENTS[events[k - 1]]
        subj = subj.format(n=names[k - 1])
        positive = polarity != negated[k]  # the event happens
        if lang == "en":
            return (en if positive else en_neg).format(n=names[k - 1])
        if kind == "main":
            return f"{subj} {verb} {rest}" if positive else f"{subj} {verb} inte {rest}"
        if kind == "sub":
            return f"{subj} {verb} {rest}" if positive else f"{subj} inte {verb} {rest}"
        return f"{verb} {subj} {rest}" if positive else f"{verb} {subj} inte {rest}"  # inverted

    def literal(k: int) -> Any:
        atom = events[k - 1]
        return ["not", atom] if negated[k] else atom

    def logic(f: list) -> list:
        """Template form -> logical form over atoms (events)."""
        op = f[0]
        if op == "if":
            return ["if", literal(f[1]), literal(f[2])]
        if op == "undetermined":
            return ["undetermined", events[f[1] - 1]]
        holds = (op == "fact") != negated[f[1]]  # does the event happen?
        return ["fact" if holds else "not", events[f[1] - 1]]

    def text(f: list) -> dict[str, str]:
        op = f[0]
        if op == "if":
            return {"sv": f"Om {clause(f[1], True, 'sv', 'sub')}, {clause(f[2], True, 'sv', 'inv')}.",
                    "en": f"If {clause(f[1], True, 'en')}, {clause(f[2], True, 'en')}."}
        if op == "undetermined":
            k = f[1]
            subj, verb, rest, en, _ = EVENTS[events[k - 1]]
            return {"sv": f"Det går inte att avgöra om {subj.format(n=names[k - 1])} {verb} {rest}.",
                    "en": f"It cannot be determined whether {en.format(n=names[k - 1])}."}
        return {lang: cap(clause(f[1], op == "fact", lang)) + "." for lang in LANGS}

    key = (text(key_form), logic(key_form))
    distractors = [(text(f), logic(f)) for f in distractor_forms]
    options, key_index = shuffle_options(rng, key, distractors)
    premise_texts = [text(p) for p in premises]
    stem = {lang: "\n".join(t[lang] for t in premise_texts) + "\n\n" + CONCLUSION_QUESTION[lang] for lang in LANGS}
    q = {lang: {k: clause(k, True, lang) for k in range(1, n_lits + 1)} for lang in LANGS}
    explanation = _conditional_explanation(form, q)
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
        "n_converse": 0,
    }
    structure = {"logic": "propositional", "premises": logical_premises, "options": [f for _, f in options]}
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{form}", practice=practice, stem=stem,
        options=options, key=key_index, explanation=explanation, features=features, structure=structure,
    )


def _conditional_explanation(form: str, q: dict[str, dict[int, str]]) -> dict[str, str]:
    """Plain explanation quoting the literals (keeps Swedish word order out of the way)."""
    sv = {k: f"”{v}”" for k, v in q["sv"].items()}
    en = {k: f"“{v}”" for k, v in q["en"].items()}
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
    raise ValueError(form)


# --------------------------------------------------------------------------- generation

MODELS = (
    [("ordering_pair", 14), ("ordering_extreme", 10)]
    + [(form, 3) for form in SYLLOGISMS]
    + [(form, 4) for form in CONDITIONALS]
)
PRACTICE_MODELS = [("ordering_pair", 1)]


def _make(rng: Rng, item_id: str, form: str, practice: bool) -> dict[str, Any] | None:
    if form in ("ordering_pair", "ordering_extreme"):
        return _ordering(rng, item_id, form.removeprefix("ordering_"), practice)
    if form in SYLLOGISMS:
        return _syllogism(rng, item_id, form, practice)
    return _conditional(rng, item_id, form, practice)


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

    Operational items mix orderings, quantified statements and conditionals (see
    ``MODELS``); practice items are three-person chains in plain phrasing.
    """
    forms = iter(plan(PRACTICE_MODELS if practice else MODELS, n, rng))
    current: dict[str, str] = {}

    def make(item_id: str) -> dict[str, Any] | None:
        if item_id not in current:
            current[item_id] = next(forms)
        return _make(rng, item_id, current[item_id], practice)

    return unique_items(make, item_ids(id_prefix, start, n, practice), avoid)

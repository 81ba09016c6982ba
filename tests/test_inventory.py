"""Tests for the Big Five work inventory (format version 2): content, validation, scoring.

Broken copies of the shipped file are written to ``tmp_path`` and must be rejected with a
problem that names the file, the statement/facet/domain and the rule that was broken.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import item_banks
from item_banks import LANGUAGES, BankError, validate_file
from item_banks.inventory import (
    DEFAULT_INVENTORY,
    DomainScore,
    FacetScore,
    load_inventory,
    score_facets,
    score_inventory,
)
from item_banks.schema import DOMAIN_IDS

DATA = Path(item_banks.__file__).resolve().parent / "data"
WORK_FILE = DATA / "big5_work.json"
STARTER_FILE = DATA / "big5_starter.json"
FAST = settings(database=None, deadline=None, max_examples=40)

NEGATIONS = {
    "sv": re.compile(r"\b(inte|ej|aldrig|ingen|inget|inga|ingenting)\b", re.I),
    "en": re.compile(r"\b(not|never|no|nobody|nothing|none)\b|n't", re.I),
}
FIRST_PERSON = {"sv": re.compile(r"\b(jag|mig|min|mitt|mina)\b", re.I), "en": re.compile(r"\b(I|[Mm]e|[Mm]y)\b")}


def shipped() -> dict:
    return json.loads(WORK_FILE.read_text(encoding="utf-8"))


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def statement(data: dict, statement_id: str) -> dict:
    return next(s for s in data["statements"] if s["id"] == statement_id)


@pytest.fixture(scope="module")
def inv():
    return load_inventory()


# --------------------------------------------------------------------------- shipped file


def test_shipped_inventory_validates_and_is_the_default(inv):
    assert validate_file(WORK_FILE) == []
    assert DEFAULT_INVENTORY == WORK_FILE
    assert inv is load_inventory(WORK_FILE)
    assert inv.inventory_id == "big5-work"
    assert inv.format_version == 2
    assert re.fullmatch(r"\d+\.\d+\.\d+", inv.version)


def test_domains_facets_and_statement_counts(inv):
    assert tuple(d.id for d in inv.domains) == DOMAIN_IDS
    assert len(inv.scored_statements) >= 100
    for dom in inv.domains:
        assert len(dom.facets) >= 4, dom.id
        for facet in dom.facets:
            assert facet.domain == dom.id and facet.id.startswith(dom.id + ".")
            assert inv.facet(facet.id) is facet
            own = [s for s in inv.scored_statements if s.facet == facet.id]
            assert len(own) >= 4, facet.id
            assert any(s.keyed == -1 for s in own), facet.id
            assert all(s.domain == dom.id for s in own)
    assert Counter(s.facet for s in inv.scored_statements).keys() == {f.id for f in inv.facets}


@pytest.mark.parametrize("domain", DOMAIN_IDS)
def test_keying_is_balanced_in_every_domain(inv, domain):
    own = [s for s in inv.scored_statements if s.domain == domain]
    reverse = sum(s.keyed == -1 for s in own)
    assert reverse / len(own) >= 0.40
    assert reverse / len(own) <= 0.60  # balanced, not simply flipped


def _all_texts(inv):
    yield "description", inv.description
    for dom in inv.domains:
        for facet in (dom, *dom.facets):
            for part in ("name", "high", "low"):
                yield f"{facet.id} {part}", getattr(facet, part)
    for s in inv.statements:
        yield s.id, s.text


def test_every_text_is_translated(inv):
    for where, text in _all_texts(inv):
        assert set(text) == set(LANGUAGES), where
        for lang in LANGUAGES:
            assert text[lang].strip(), (where, lang)
        if not where.endswith("name"):  # names like "Extraversion" may be the same word
            assert text["sv"] != text["en"], where


def test_poles_are_one_sentence_each(inv):
    for dom in inv.domains:
        for facet in (dom, *dom.facets):
            assert facet.high != facet.low
            for pole in (facet.high, facet.low):
                for lang in LANGUAGES:
                    assert pole[lang].endswith(".") and ". " not in pole[lang], (facet.id, pole[lang])


def test_statements_follow_the_writing_rules(inv):
    for lang in LANGUAGES:
        texts = [s.text[lang] for s in inv.statements]
        assert len(set(texts)) == len(texts), lang
        for s in inv.statements:
            text = s.text[lang]
            assert len(text.split()) <= 15, (s.id, text)
            assert FIRST_PERSON[lang].search(text), (s.id, text)
            assert len(NEGATIONS[lang].findall(text)) <= 1, (s.id, text)
            assert text[0].isupper() and text.endswith("."), (s.id, text)


def test_consistency_pairs(inv):
    pairs = inv.consistency_pairs
    assert len(pairs) >= 8
    scored_ids = {s.id for s in inv.scored_statements}
    assert len({scored for scored, _ in pairs}) == len(pairs)  # nothing paired twice
    for scored, extra in pairs:
        assert scored in scored_ids
        assert inv.get(extra).role == "consistency" and inv.get(extra).pair == scored
        assert inv.get(extra).keyed == inv.get(scored).keyed
        assert inv.get(extra).domain is None and inv.get(extra).facet is None
    # pairs cover every domain and both keying directions
    assert {inv.get(scored).domain for scored, _ in pairs} == set(DOMAIN_IDS)
    assert {inv.get(scored).keyed for scored, _ in pairs} == {1, -1}


def test_infrequency_statements(inv):
    infrequent = [s for s in inv.validity_statements if s.role == "infrequency"]
    assert len(infrequent) >= 4
    # both answer sides, so agreeing with everything is caught as well as disagreeing
    assert {s.expected for s in infrequent} == {"agree", "disagree"}
    assert all(s.keyed is None and s.domain is None for s in infrequent)
    assert inv.get("V11").expected == "disagree"


def test_validity_statements_are_spread_out(inv):
    ids = [s.id for s in inv.statements]
    validity = {s.id for s in inv.validity_statements}
    assert len(validity) == len(inv.statements) - len(inv.scored_statements) >= 12
    positions = [i for i, sid in enumerate(ids) if sid in validity]
    assert positions[0] >= 10  # the questionnaire opens with trait statements
    assert min(b - a for a, b in zip(positions, positions[1:])) >= 4
    # every third of the inventory holds validity statements
    thirds = Counter(3 * p // len(ids) for p in positions)
    assert sorted(thirds) == [0, 1, 2] and min(thirds.values()) >= 3
    for scored, extra in inv.consistency_pairs:
        assert abs(ids.index(scored) - ids.index(extra)) >= 10


def test_presentation_order_mixes_domains_and_facets(inv):
    first = [s for s in inv.statements if s.role == "scored"][:20]
    assert {s.domain for s in first[:5]} == set(DOMAIN_IDS)
    assert len({s.facet for s in first}) == 20


# --------------------------------------------------------------------------- validation


def _missing_swedish(d):
    del statement(d, "OP07")["text"]["sv"]


def _empty_english(d):
    statement(d, "AG12")["text"]["en"] = " "


def _unknown_facet(d):
    statement(d, "EX09")["facet"] = "EX.charm"


def _facet_of_other_domain(d):
    statement(d, "EX09")["facet"] = "XX.charm"


def _duplicate_id(d):
    statement(d, "CO12")["id"] = "CO11"


def _duplicate_facet_id(d):
    d["domains"][0]["facets"][1]["id"] = d["domains"][0]["facets"][0]["id"]


def _facet_id_wrong_domain(d):
    d["domains"][1]["facets"][0]["id"] = "ES.chatty"


def _facet_with_three(d):
    d["statements"] = [s for s in d["statements"] if s["id"] not in ("ES01", "ES04")]


def _facet_without_reverse(d):
    for sid in ("CO03", "CO05"):
        statement(d, sid)["keyed"] = "+"


def _domain_with_three_facets(d):
    dom = d["domains"][2]
    dropped = dom["facets"].pop()["id"]
    for s in d["statements"]:
        if s.get("facet") == dropped:
            s["facet"] = dom["facets"][0]["id"]


def _domain_under_40(d):
    for sid in ("ES03", "ES07", "ES12", "ES17", "ES18"):
        statement(d, sid)["keyed"] = "+"


def _too_few_scored(d):
    d["statements"] = [s for s in d["statements"] if s["id"] != "AG05"]


def _pair_unknown(d):
    statement(d, "V05")["pair"] = "OP99"


def _pair_to_validity(d):
    statement(d, "V05")["pair"] = "V11"


def _paired_twice(d):
    statement(d, "V07")["pair"] = statement(d, "V01")["pair"]
    statement(d, "V07")["keyed"] = statement(d, "V01")["keyed"]


def _pair_keyed_opposite(d):
    statement(d, "V09")["keyed"] = "-"


def _too_few_pairs(d):
    for sid in ("V01", "V02", "V03"):
        s = statement(d, sid)
        s["role"] = "infrequency"
        s["expected"] = "agree"
        del s["pair"], s["keyed"]


def _pair_too_close(d):
    sts = d["statements"]
    v = sts.pop(sts.index(statement(d, "V04")))
    sts.insert(sts.index(statement(d, "EX15")) + 1, v)


def _validity_adjacent(d):
    sts = d["statements"]
    v = sts.pop(sts.index(statement(d, "V12")))
    sts.insert(sts.index(statement(d, "V11")) + 1, v)


def _too_long(d):
    statement(d, "CO19")["text"]["en"] = (
        "I stick with a task until it is finished, even when it takes many more"
        " hours than I had planned for it."
    )


def _bad_expected(d):
    statement(d, "V13")["expected"] = "yes"


def _unknown_role(d):
    statement(d, "V13")["role"] = "lie"


def _field_not_for_role(d):
    statement(d, "V13")["keyed"] = "+"


def _v1_domain_field_in_v2(d):
    statement(d, "AG03")["domain"] = "AG"


def _unknown_statement_field(d):
    statement(d, "AG03")["note"] = "x"


def _unknown_facet_field(d):
    d["domains"][3]["facets"][2]["hgh"] = {"sv": "x", "en": "x"}


def _facet_without_low(d):
    del d["domains"][4]["facets"][1]["low"]


def _duplicate_text(d):
    statement(d, "CO02")["text"]["en"] = statement(d, "CO01")["text"]["en"]


def _double_negative_sv(d):
    statement(d, "AG06")["text"]["sv"] = "Jag är inte ovillig att kompromissa."


def _double_negative_en(d):
    statement(d, "AG09")["text"]["en"] = "I am not unwilling to put the group first."


def _two_negations(d):
    statement(d, "AG14")["text"]["en"] = "I never make a decision with no thought for others."


# Texts of inventory 1.0.0 that the review of issue 11 replaced (INVENTORY.md, "Review").
OLD_NEGATED = {
    "OP19": ("Jag lägger sällan tid på att göra mitt material visuellt tilltalande.",
             "I rarely spend time making my material visually appealing."),
    "CO15": ("Jag gör det som krävs, men sällan mer än så.", "I do what is required, but rarely more than that."),
    "V04": ("När gruppen är stor tar jag sällan ordet.", "When the group is large, I rarely speak up."),
    "ES02": ("En snäv deadline får mig sällan att tappa fattningen.",
             "A tight deadline rarely makes me lose my composure."),
    "EX17": ("Jag föredrar lugna arbetsdagar där det inte händer för mycket.",
             "I prefer calm working days when not too much is happening."),
}


def _reversed_by_rarely(d):
    statement(d, "OP19")["text"] = dict(zip(("sv", "en"), OLD_NEGATED["OP19"]))


def _reversed_by_not(d):
    statement(d, "EX17")["text"] = dict(zip(("sv", "en"), OLD_NEGATED["EX17"]))


def _consistency_reversed_by_negation(d):
    statement(d, "V04")["text"] = dict(zip(("sv", "en"), OLD_NEGATED["V04"]))


def _positive_by_negated_frequency(d):
    statement(d, "ES02")["text"] = dict(zip(("sv", "en"), OLD_NEGATED["ES02"]))


def _reversed_by_utan(d):
    statement(d, "CO05")["text"]["sv"] = "Jag klarar mig bra utan listor."
    statement(d, "CO05")["text"]["en"] = "I manage fine without lists."


def _negation_in_one_language(d):
    statement(d, "V03")["text"]["en"] = "Talking to people I have never met comes naturally to me."


def _pairs_in_one_direction(d):
    d["statements"] = [s for s in d["statements"] if s["id"] not in ("V02", "V04", "V06", "V08", "V10")]


def _too_few_infrequency(d):
    d["statements"] = [s for s in d["statements"] if s["id"] not in ("V13", "V14")]


def _infrequency_one_side(d):
    for sid in ("V12", "V14"):
        statement(d, sid)["expected"] = "disagree"


def _bad_scale(d):
    d["scale"]["points"] = 7


def _bad_keyed(d):
    statement(d, "OP04")["keyed"] = "R"


INVENTORY_V2_CASES = [
    (_missing_swedish, ["statement OP07", "text", "Swedish text (sv)"]),
    (_empty_english, ["statement AG12", "empty English text (en)"]),
    (_unknown_facet, ["statement EX09", "unknown facet 'EX.charm'"]),
    (_facet_of_other_domain, ["statement EX09", "unknown facet 'XX.charm'"]),
    (_duplicate_id, ["statement CO11", "duplicate id"]),
    (_duplicate_facet_id, ["facet ES.composure", "duplicate facet id"]),
    (_facet_id_wrong_domain, ["facet ES.chatty", "must start with 'EX.'"]),
    (_facet_with_three, ["facet ES.composure", "only 3 scored statements", "at least 4"]),
    (_facet_without_reverse, ["facet CO.order", "no reverse-keyed statement"]),
    (_domain_with_three_facets, ["domain OP", "only 3 facets", "at least 4"]),
    (_domain_under_40, ["domain ES", "only 5 of 20 scored statements reverse-keyed", "40 %"]),
    (_too_few_scored, ["only 99 scored statements", "at least 100"]),
    (_pair_unknown, ["statement V05", "pair 'OP99'", "unknown statement"]),
    (_pair_to_validity, ["statement V05", "pair 'V11'", "validity statement"]),
    (_paired_twice, ["statement V01", "ES02 is already paired with V07"]),
    (_pair_keyed_opposite, ["statement V09", "differs from its pair CO01"]),
    (_too_few_pairs, ["only 7 consistency pairs", "at least 8"]),
    (_pair_too_close, ["statement V04", "places from its pair EX15"]),
    (_validity_adjacent, ["statement V12", "follows validity statement V11"]),
    (_too_long, ["statement CO19", "English text (en) has 22 words", "at most 20"]),
    (_bad_expected, ["statement V13", "expected must be \"agree\" or \"disagree\", not 'yes'"]),
    (_unknown_role, ["statement V13", "unknown role 'lie'"]),
    (_field_not_for_role, ["statement V13", "field 'keyed' is not allowed for role infrequency"]),
    (_v1_domain_field_in_v2, ["statement AG03", "field 'domain' is not allowed for role scored"]),
    (_unknown_statement_field, ["statement AG03", "field 'note' is not allowed"]),
    (_unknown_facet_field, ["facet AG.consideration", "unknown field 'hgh'"]),
    (_facet_without_low, ["facet CO.dependability", "missing field 'low'"]),
    (_duplicate_text, ["statement CO02", "English text (en) duplicates statement CO01"]),
    (_double_negative_sv, ["statement AG06", "Swedish text (sv) looks like a double negative"]),
    (_double_negative_en, ["statement AG09", "English text (en) looks like a double negative"]),
    (_two_negations, ["statement AG14", "English text (en) looks like a double negative"]),
    (_reversed_by_rarely, ["statement OP19", "reverse-keyed", "English text (en)", "negation 'rarely'"]),
    (_reversed_by_rarely, ["statement OP19", "reverse-keyed", "Swedish text (sv)", "negation 'sällan'"]),
    (_reversed_by_not, ["statement EX17", "reverse-keyed", "English text (en)", "negation 'not'"]),
    (_reversed_by_not, ["statement EX17", "reverse-keyed", "Swedish text (sv)", "negation 'inte'"]),
    (_consistency_reversed_by_negation, ["statement V04", "reverse-keyed", "negation 'rarely'"]),
    (_positive_by_negated_frequency, ["statement ES02", "negates the opposite pole with 'rarely'"]),
    (_positive_by_negated_frequency, ["statement ES02", "negates the opposite pole with 'sällan'"]),
    (_reversed_by_utan, ["statement CO05", "Swedish text (sv) uses the negation 'utan'"]),
    (_negation_in_one_language, ["statement V03", "English text has a negation and the Swedish text has none"]),
    (_pairs_in_one_direction, ["every consistency pair is positively keyed", "both keying directions"]),
    (_too_few_infrequency, ["only 2 infrequency statements, at least 4 required"]),
    (_infrequency_one_side, ["no infrequency statement expects \"agree\""]),
    (_bad_scale, ["scale: points must be 5", "not 7"]),
    (_bad_keyed, ["statement OP04", "keyed must be"]),
]


@pytest.mark.parametrize("mutate,expected", INVENTORY_V2_CASES, ids=[c[0].__name__[1:] for c in INVENTORY_V2_CASES])
def test_validator_catches_broken_copy(tmp_path, mutate, expected):
    data = shipped()
    mutate(data)
    problems = validate_file(write_json(tmp_path / "broken_work.json", data))
    assert problems, "broken inventory passed validation"
    assert all(p.startswith("broken_work.json: ") for p in problems), problems
    assert any(all(text in p for text in expected) for p in problems), problems


@pytest.mark.parametrize(
    "mutate,problem",
    [
        (_bad_expected, "statement V13: expected must be \"agree\" or \"disagree\", not 'yes'"),
        (_unknown_facet, "statement EX09: unknown facet 'EX.charm'"),
        (_negation_in_one_language, "statement V03: the English text has a negation and the Swedish text has"
                                    " none; check that both say the same with the same strength"),
        (_infrequency_one_side, "no infrequency statement expects \"agree\"; both answer sides are required"),
        (_pair_keyed_opposite, "statement V09: keyed '-' differs from its pair CO01; a consistency"
                               " statement is a near-synonym and is keyed in the same direction"),
    ],
)
def test_single_mistake_gives_exactly_one_problem(tmp_path, mutate, problem):
    data = shipped()
    mutate(data)
    assert validate_file(write_json(tmp_path / "inv.json", data)) == [f"inv.json: {problem}"]


def test_loader_lists_every_problem(tmp_path):
    data = shipped()
    _missing_swedish(data)
    _bad_expected(data)
    with pytest.raises(BankError) as excinfo:
        load_inventory(write_json(tmp_path / "two.json", data))
    assert len(excinfo.value.problems) == 2
    assert "statement OP07" in excinfo.value.problems[0]
    assert "statement V13" in excinfo.value.problems[1]


@pytest.mark.parametrize("statement_id", sorted(OLD_NEGATED))
def test_reversals_by_negation_of_version_1_are_caught_in_both_languages(tmp_path, statement_id):
    data = shipped()
    statement(data, statement_id)["text"] = dict(zip(("sv", "en"), OLD_NEGATED[statement_id]))
    problems = validate_file(write_json(tmp_path / "old.json", data))
    assert len(problems) == 2, problems  # one per language
    assert all(f"statement {statement_id}:" in p for p in problems)


def test_negation_allow_list_needs_an_entry_per_statement_and_language(tmp_path, monkeypatch):
    from item_banks import inventory_format

    data = shipped()
    _reversed_by_rarely(data)
    monkeypatch.setitem(inventory_format.NEGATION_ALLOWED, ("OP19", "en"), "test: a justified exception")
    problems = validate_file(write_json(tmp_path / "allowed.json", data))
    assert problems == ["allowed.json: statement OP19: reverse-keyed, but the Swedish text (sv) uses the"
                        " negation 'sällan'; describe the low pole in its own words instead"]


@pytest.mark.parametrize("version", [0, 3, "2", True])
def test_unknown_format_version_is_refused(tmp_path, version):
    data = shipped()
    data["format_version"] = version
    problems = validate_file(write_json(tmp_path / "future.json", data))
    assert problems == [f"future.json: unknown format_version {version!r} for second-opinion/inventory"
                        " (known: 1, 2)"]


def test_v2_fields_are_rejected_in_a_v1_file(tmp_path):
    data = json.loads(STARTER_FILE.read_text(encoding="utf-8"))
    data["domains"][0]["facets"] = []
    data["statements"][0]["role"] = "scored"
    problems = validate_file(write_json(tmp_path / "v1.json", data))
    assert "v1.json: domain ES: unknown field 'facets'" in problems
    assert f"v1.json: statement {data['statements'][0]['id']}: unknown field 'role'" in problems


# --------------------------------------------------------------------------- version 1 still loads


def test_v1_starter_still_validates_and_loads():
    assert validate_file(STARTER_FILE) == []
    starter = load_inventory(STARTER_FILE)
    assert starter.format_version == 1
    assert starter.inventory_id == "big5-starter"
    assert starter.facets == () and all(d.facets == () for d in starter.domains)
    assert starter.validity_statements == () and starter.consistency_pairs == ()
    assert starter.scored_statements == starter.statements
    assert all(s.facet is None and s.role == "scored" and s.domain in DOMAIN_IDS for s in starter.statements)
    assert score_facets(starter, {s.id: 4 for s in starter.statements}) == {}
    scores = score_inventory(starter, {s.id: 5 for s in starter.statements})
    assert {s.mean for s in scores.values()} == {3.0}


# --------------------------------------------------------------------------- API and scoring


def test_lookups(inv):
    assert inv.facet("ES.composure").domain == "ES"
    assert inv.facet("CO.order").name["sv"] == "Ordning"
    assert [f.id for f in inv.domain("AG").facets][:1] == ["AG.trust"]
    assert inv.facets == tuple(f for d in inv.domains for f in d.facets)
    assert inv.get("V01").pair == "ES02" and inv.get("V01").role == "consistency"
    assert ("ES02", "V01") in inv.consistency_pairs
    assert inv.get("ES03").keyed == -1 and inv.get("ES03").facet == "ES.composure"
    assert inv.get("ES03").is_scored and not inv.get("V01").is_scored
    with pytest.raises(KeyError):
        inv.facet("ES.nope")
    with pytest.raises(KeyError):
        inv.facet("ES")


def test_score_known_values(inv):
    # keying this test relies on
    assert [inv.get(i).keyed for i in ("ES01", "ES03", "EX06", "EX07", "EX08")] == [1, -1, 1, -1, -1]
    assert inv.get("V01").pair == "ES02"  # a composure pair: would shift the facet if counted
    answers = {
        "ES01": 4, "ES03": 2,           # composure: (4 + (6 - 2)) / 2 = 4.0
        "EX06": 5, "EX07": 5, "EX08": 2,  # contacts: (5 + 1 + 4) / 3
        "ES06": None,                   # skipped
        "V01": 1, "V11": 5, "V12": 1,   # validity: accepted, ignored
    }
    facets = score_facets(inv, answers)
    assert list(facets) == [f.id for f in inv.facets]
    assert facets["ES.composure"] == FacetScore("ES.composure", 4.0, 2, 5)
    assert facets["EX.contacts"] == FacetScore("EX.contacts", pytest.approx(10 / 3), 3, 5)
    assert facets["ES.recovery"] == FacetScore("ES.recovery", None, 0, 5)
    domains = score_inventory(inv, answers)
    assert list(domains) == list(DOMAIN_IDS)
    assert domains["ES"] == DomainScore("ES", 4.0, 2, 20)
    assert domains["EX"] == DomainScore("EX", pytest.approx(10 / 3), 3, 20)
    assert domains["OP"] == DomainScore("OP", None, 0, 20)

    without_validity = {k: v for k, v in answers.items() if not k.startswith("V")}
    assert score_facets(inv, without_validity) == facets
    assert score_inventory(inv, without_validity) == domains


def test_agreeing_with_everything(inv):
    answers = {s.id: 5 for s in inv.statements}
    for facet_id, score in score_facets(inv, answers).items():
        own = [s for s in inv.scored_statements if s.facet == facet_id]
        n_rev = sum(s.keyed == -1 for s in own)
        assert score.mean == pytest.approx((5 * (len(own) - n_rev) + n_rev) / len(own))
        assert score.n_answered == score.n_items == len(own)
    # every domain is exactly half reverse-keyed: acquiescence alone lands on the midpoint
    assert {s.mean for s in score_inventory(inv, answers).values()} == {3.0}


@pytest.mark.parametrize(
    "answers", [{"V11": 6}, {"V03": 0}, {"ES01": "4"}, {"ES01": True}, {"ES01": 2.0}, {"ES.composure": 3}]
)
def test_scoring_rejects_bad_answers(inv, answers):
    with pytest.raises(ValueError):
        score_facets(inv, answers)
    with pytest.raises(ValueError):
        score_inventory(inv, answers)


@FAST
@given(st.data())
def test_reversing_every_answer_mirrors_facet_means(inv, data):
    ids = data.draw(st.lists(st.sampled_from([s.id for s in inv.statements]), unique=True))
    answers = {i: data.draw(st.integers(1, 5)) for i in ids}
    scores = score_facets(inv, answers)
    mirrored = score_facets(inv, {i: 6 - v for i, v in answers.items()})
    for facet_id, score in scores.items():
        assert score.n_answered == mirrored[facet_id].n_answered
        if score.mean is None:
            assert mirrored[facet_id].mean is None
        else:
            assert 1 <= score.mean <= 5
            assert mirrored[facet_id].mean == pytest.approx(6 - score.mean)
    # a domain mean is the answered-count weighted mean of its facet means
    for dom_id, dom_score in score_inventory(inv, answers).items():
        parts = [scores[f.id] for f in inv.domain(dom_id).facets if scores[f.id].n_answered]
        assert dom_score.n_answered == sum(p.n_answered for p in parts)
        if parts:
            weighted = sum(p.mean * p.n_answered for p in parts) / dom_score.n_answered
            assert dom_score.mean == pytest.approx(weighted)

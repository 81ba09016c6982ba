"""The shipped report texts and the rules that guard them (portal/report_texts.py)."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from item_banks.validity import CODES as VALIDITY_CODES
from portal import report_texts as rt

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "item_banks" / "data" / "big5_work.json"


def inventory() -> dict:
    return json.loads(INVENTORY.read_text(encoding="utf-8"))


def scale_ids() -> list[str]:
    ids = []
    for domain in inventory()["domains"]:
        ids.append(domain["id"])
        ids.extend(facet["id"] for facet in domain["facets"])
    return ids


def shipped() -> dict:
    return json.loads(rt.DATA_FILE.read_text(encoding="utf-8"))


def leaves(node, path=""):
    """(path, {"sv", "en"}) for every bilingual text in the document."""
    if isinstance(node, dict):
        if set(node) == {"sv", "en"}:
            yield path, node
            return
        for key, value in node.items():
            yield from leaves(value, f"{path}/{key}" if path else key)


# --- the shipped file ------------------------------------------------------------------

def test_inventory_has_25_scales():
    ids = scale_ids()
    assert len(ids) == len(set(ids)) == 25
    assert {"ES", "EX", "OP", "AG", "CO", "ES.composure", "CO.discipline"} <= set(ids)


def test_shipped_file_validates_against_inventory_scales():
    assert rt.validate(shipped(), scale_ids()) == []


def test_shipped_file_has_exactly_the_inventory_scales():
    assert sorted(shipped()["scales"]) == sorted(scale_ids())


def test_loader_returns_the_file_and_caches_it():
    assert rt.load_texts() == shipped()
    assert rt.load_texts() is rt.load_texts()


def test_validity_codes_match_the_indicators():
    assert rt.VALIDITY_CODES == tuple(VALIDITY_CODES)
    assert set(shipped()["validity"]) == set(VALIDITY_CODES)


def test_swedish_texts_use_swedish_letters():
    texts = [leaf["sv"] for _, leaf in leaves(shipped())]
    # 5 levels, 14 logic, 3 incomplete, 4 personality, 125 scale, 10 validity, 9 other,
    # 11 synthesis, 9 findings, 9 consultant
    assert len(texts) == 199
    with_letters = [t for t in texts if re.search("[åäöÅÄÖ]", t)]
    # Nearly every Swedish sentence has å, ä or ö; a file written without them is broken.
    assert len(with_letters) / len(texts) > 0.8


def test_candidate_texts_address_the_candidate():
    data = shipped()
    entries = [(f"logic/candidate/{k}", v) for k, v in data["logic"]["candidate"].items()]
    entries.append(("logic/strength", data["logic"]["strength"]))
    for scale_id, scale in data["scales"].items():
        entries += [(f"scales/{scale_id}/{k}", scale[k]) for k in ("develop_low", "develop_high", "strength")]
    entries += [(f"validity/{c}/candidate", v["candidate"]) for c, v in data["validity"].items()]
    entries.append(("incomplete/candidate", data["incomplete"]["candidate"]))
    for path, entry in entries:
        assert re.search(r"\b(du|dig|din|ditt|dina)\b", entry["sv"], re.I), path
        assert re.search(r"\b(you|your)\b", entry["en"], re.I), path


def test_client_texts_do_not_address_the_candidate():
    data = shipped()
    entries = [(f"logic/client/{k}", v) for k, v in data["logic"]["client"].items()]
    for scale_id, scale in data["scales"].items():
        entries += [(f"scales/{scale_id}/{k}", scale[k]) for k in ("mid", "verify")]
    entries += [(f"validity/{c}/client", v["client"]) for c, v in data["validity"].items()]
    entries += [(f"incomplete/{k}", data["incomplete"][k]) for k in ("client", "verify")]
    for path, entry in entries:
        assert not re.search(r"\b(du|dig|din|ditt|dina)\b", entry["sv"], re.I), path
        assert not re.search(r"\b(you|your)\b", entry["en"], re.I), path


def test_strength_advice_is_one_sentence_for_every_scale_and_the_logic_test():
    """The candidate report gives each strength one sentence of advice (version 2)."""
    data = shipped()
    assert data["version"] == rt.VERSION == 2
    advice = {"logic": data["logic"]["strength"]} | {k: v["strength"] for k, v in data["scales"].items()}
    assert len(advice) == 26
    for scale, entry in advice.items():
        for lang in ("sv", "en"):
            text = entry[lang]
            assert text.endswith(".") and len(re.findall(r"[.!?](?:\s|$)", text)) == 1, (scale, lang, text)
            assert 40 < len(text) < 200, (scale, lang)
    assert rt.audience_allows("candidate", "scales/ES/strength") and rt.audience_allows("candidate", "logic/strength")
    assert not rt.audience_allows("client", "scales/ES/strength")


def test_validate_reports_a_missing_strength_text():
    problems = broken(lambda d: d["scales"]["CO.drive"].pop("strength"))
    assert problems == ["scales/CO.drive/strength: missing"]


def test_scale_texts_do_not_repeat_the_inventory_descriptions():
    inventory_texts = set()
    for domain in inventory()["domains"]:
        for node in [domain, *domain["facets"]]:
            for end in ("high", "low"):
                inventory_texts.update(node[end].values())
    for path, leaf in leaves(shipped()):
        for lang in ("sv", "en"):
            assert not any(t in leaf[lang] for t in inventory_texts), (path, lang)


def test_no_text_is_used_twice():
    seen = {}
    for path, leaf in leaves(shipped()):
        for lang in ("sv", "en"):
            assert leaf[lang] not in seen, (path, seen.get(leaf[lang]))
            seen[leaf[lang]] = path


def test_reports_say_what_the_brief_requires():
    data = shipped()
    assert "90" in data["norms"]["band"]["sv"] and "90" in data["norms"]["band"]["en"]
    assert "simulerade" in data["norms"]["provisional"]["sv"]
    assert "simulated" in data["norms"]["provisional"]["en"]
    assert "en källa bland flera" in data["candidate_report"]["use"]["sv"]
    assert "one source among several" in data["candidate_report"]["use"]["en"]
    assert "aldrig med andra kandidater" in data["client_report"]["no_ranking"]["sv"]
    assert "never with other candidates" in data["client_report"]["no_ranking"]["en"]


# --- validate() finds problems -----------------------------------------------------------

def broken(mutate) -> list[str]:
    data = copy.deepcopy(shipped())
    mutate(data)
    return rt.validate(data, scale_ids())


def test_validate_reports_missing_scale():
    problems = broken(lambda d: d["scales"].pop("AG.trust"))
    assert problems == ["scales/AG.trust: missing"]


def test_validate_reports_missing_scale_key():
    problems = broken(lambda d: d["scales"]["OP"].pop("verify"))
    assert problems == ["scales/OP/verify: missing"]


def test_validate_reports_unknown_scale():
    problems = broken(lambda d: d["scales"].__setitem__("XX", d["scales"]["ES"]))
    assert problems == ["scales/XX: not a scale of the inventory"]


def test_validate_reports_empty_swedish():
    problems = broken(lambda d: d["scales"]["ES.composure"]["verify"].__setitem__("sv", "  "))
    assert problems == ["scales/ES.composure/verify: sv is empty"]


def test_validate_reports_missing_english():
    problems = broken(lambda d: d["norms"]["band"].pop("en"))
    assert problems == ["norms/band: en is missing"]


def test_validate_reports_identical_sv_and_en():
    def same(d):
        entry = d["logic"]["client"]["high"]
        entry["sv"] = entry["en"]
    assert broken(same) == ["logic/client/high: sv is identical to en (not translated)"]


def test_validate_reports_missing_section_and_validity_code():
    def mutate(d):
        del d["candidate_report"]["contact"]
        del d["validity"]["infrequency"]
    assert broken(mutate) == ["validity/infrequency: missing", "candidate_report/contact: missing"]


def test_validate_reports_plain_string_instead_of_bilingual_text():
    problems = broken(lambda d: d["levels"]["names"].__setitem__("low", "Low"))
    assert problems == ["levels/names/low: must be an object with sv and en texts"]


@pytest.mark.parametrize("cuts", [[16, 70, 31, 85], [16, 16, 70, 85], [16, 31, 70], [0, 31, 70, 85]])
def test_validate_reports_bad_cut_points(cuts):
    problems = broken(lambda d: d["levels"].__setitem__("cut_points", cuts))
    assert len(problems) == 1 and problems[0].startswith("levels/cut_points:")


def test_validate_reports_wrong_format_and_several_problems_at_once():
    def mutate(d):
        d["format"] = "other"
        d["scales"].pop("CO")
        d["personality"]["limits"]["en"] = ""
    problems = broken(mutate)
    assert len(problems) == 3
    assert any(p.startswith("format:") for p in problems)


def test_validate_rejects_non_object():
    assert rt.validate([], scale_ids()) == ["document: must be a JSON object"]


# --- level_key and text ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("percentile", "expected"),
    [
        (0, "low"),
        (1, "low"),
        (15.9, "low"),
        (16, "below_average"),
        (30.9, "below_average"),
        (31, "average"),
        (50, "average"),
        (69.9, "average"),
        (70, "above_average"),
        (84.9, "above_average"),
        (85, "high"),
        (99, "high"),
        (100, "high"),
    ],
)
def test_level_key_at_cut_points(percentile, expected):
    assert rt.level_key(percentile) == expected


def test_level_key_uses_given_cut_points():
    assert rt.level_key(20, [10, 20, 30, 40]) == "average"
    assert rt.level_key(9.99, [10, 20, 30, 40]) == "low"
    with pytest.raises(ValueError):
        rt.level_key(50, [10, 20])


def test_every_level_has_a_name_and_logic_texts():
    data = shipped()
    for percentile in (5, 20, 50, 75, 95):
        key = rt.level_key(percentile)
        assert data["levels"]["names"][key]["sv"]
        assert data["logic"]["client"][key]["en"]
        assert data["logic"]["candidate"][key]["sv"]


def test_text_picks_language_and_falls_back_to_english():
    entry = {"sv": "Hej", "en": "Hello"}
    assert rt.text(entry, "sv") == "Hej"
    assert rt.text(entry, "en") == "Hello"
    assert rt.text(entry, "de") == "Hello"
    assert rt.text(entry, "") == "Hello"
    assert rt.text(rt.load_texts()["logic"]["name"], "fi") == "Logical reasoning"

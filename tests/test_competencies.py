"""The shipped competency library and profile templates, and the rules that guard them."""
from __future__ import annotations

import ast
import copy
import json
import os
import sys
from pathlib import Path

import pytest

from portal import competencies as comp
from portal.competencies import (
    ALLOWED_SCALES,
    Competency,
    LibraryError,
    custom_competency,
    load_library,
    load_templates,
    validate_custom,
)

ROOT = Path(__file__).resolve().parent.parent


def shipped_library_data() -> dict:
    return json.loads(comp.DEFAULT_LIBRARY.read_text(encoding="utf-8"))


def shipped_templates_data() -> dict:
    return json.loads(comp.DEFAULT_TEMPLATES.read_text(encoding="utf-8"))


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def all_texts(competency: Competency):
    """(where, {sv, en}) for every text of a competency."""
    yield "name", competency.name
    yield "definition", competency.definition
    for level, text in competency.indicators.items():
        yield f"level {level}", text
    for n, question in enumerate(competency.questions, 1):
        yield f"question {n}", question.text
        for m, probe in enumerate(question.probes, 1):
            yield f"question {n} probe {m}", probe
    for link in competency.scales:
        yield f"why {link.scale}", link.why


# ------------------------------------------------------------------ shipped content

def test_shipped_library_loads_with_at_least_12_competencies():
    library = load_library()
    assert len(library) >= 12
    assert all(isinstance(c, Competency) and not c.custom for c in library.values())
    assert {"problem_solving", "drive", "leadership", "stress_tolerance"} <= set(library)
    assert list(library) == [c["key"] for c in shipped_library_data()["competencies"]]


def test_every_text_is_written_in_swedish_and_english():
    for key, competency in load_library().items():
        for where, text in all_texts(competency):
            assert set(text) == {"sv", "en"}, (key, where)
            assert text["sv"].strip() and text["en"].strip(), (key, where)
            # a forgotten translation usually shows up as the same text twice
            if len(text["en"]) > 15:
                assert text["sv"] != text["en"], (key, where)


def test_levels_questions_and_probes_have_the_required_shape():
    for key, competency in load_library().items():
        assert list(competency.indicators) == [1, 2, 3, 4, 5], key
        assert 4 <= len(competency.questions) <= 6, key
        for question in competency.questions:
            assert 3 <= len(question.probes) <= 4, (key, question.text["en"])


def test_level_anchors_differ_from_each_other():
    for key, competency in load_library().items():
        for lang in ("sv", "en"):
            anchors = [competency.indicators[level][lang] for level in range(1, 6)]
            assert len(set(anchors)) == 5, (key, lang)


def test_scale_links_are_valid_and_modest():
    library = load_library()
    for key, competency in library.items():
        assert len(competency.scales) <= 3, key
        for link in competency.scales:
            assert link.scale in ALLOWED_SCALES, (key, link.scale)
            assert link.direction in (1, -1), key
    # the links the design names as examples
    assert ("logic.theta", 1) in {(s.scale, s.direction) for s in library["problem_solving"].scales}
    assert ("personality.CO.drive", 1) in {(s.scale, s.direction) for s in library["drive"].scales}
    assert "personality.CO.order" in {s.scale for s in library["planning"].scales}
    assert "personality.ES.composure" in {s.scale for s in library["stress_tolerance"].scales}
    # integrity is not something a self-report scale should be read as evidence for
    assert library["accountability"].scales == ()


def test_allowed_scales_match_the_shipped_personality_inventory():
    inventory = json.loads((ROOT / "item_banks" / "data" / "big5_work.json").read_text("utf-8"))
    expected = {"logic.theta"}
    for domain in inventory["domains"]:
        expected.add(f"personality.{domain['id']}")
        expected |= {f"personality.{facet['id']}" for facet in domain["facets"]}
    assert ALLOWED_SCALES == expected


def test_loaded_library_is_read_only_and_cached():
    first, second = load_library(), load_library()
    assert first["drive"] is second["drive"]  # built once
    first.pop("drive")  # a caller's copy, not the cache
    assert "drive" in load_library()
    with pytest.raises(TypeError):
        second["drive"].name["sv"] = "Något annat"  # type: ignore[index]


def test_shipped_templates_load_and_reference_existing_competencies():
    library = load_library()
    templates = load_templates()
    assert {"manager", "specialist", "sales"} <= set(templates)
    assert templates["manager"].name == {"sv": "Chef", "en": "Manager"}
    assert templates["sales"].name["sv"] == "Säljare"
    for key, template in templates.items():
        assert 5 <= len(template.competencies) <= 8, key
        assert template.name["sv"] and template.description["en"], key
        keys = [item.key for item in template.competencies]
        assert len(keys) == len(set(keys)), key
        for item in template.competencies:
            assert item.key in library, (key, item.key)
            assert 1 <= item.weight <= 5 and 1 <= item.target_level <= 5
            assert isinstance(item.must, bool)
        pct = template.logic_min_percentile
        assert pct is None or 1 <= pct <= 99


def test_pure_python_module():
    """The web app reuses it, but it must not need the web app (stdlib only)."""
    path = ROOT / "portal" / "competencies.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports would pull in the portal package"
            imported.add(node.module.split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names), imported


# ------------------------------------------------------------- broken library copies

def _drop_sv_name(data):
    del data["competencies"][0]["name"]["sv"]


def _empty_en_probe(data):
    data["competencies"][1]["questions"][0]["probes"][0]["en"] = "  "


def _level_6(data):
    data["competencies"][0]["indicators"]["6"] = {"sv": "Mer", "en": "More"}


def _level_missing(data):
    del data["competencies"][0]["indicators"]["3"]


def _three_questions(data):
    del data["competencies"][0]["questions"][3:]


def _seven_questions(data):
    qs = data["competencies"][0]["questions"]
    while len(qs) < 7:
        q = copy.deepcopy(qs[0])
        q["question"] = {lang: f"{t} ({len(qs)})" for lang, t in q["question"].items()}
        qs.append(q)


def _two_probes(data):
    del data["competencies"][0]["questions"][0]["probes"][2:]


def _five_probes(data):
    probes = data["competencies"][0]["questions"][0]["probes"]
    while len(probes) < 5:
        probes.append(copy.deepcopy(probes[0]))


def _unknown_scale(data):
    data["competencies"][0]["scales"][0]["scale"] = "personality.CO.grit"


def _direction_zero(data):
    data["competencies"][0]["scales"][0]["direction"] = 0


def _direction_true(data):
    data["competencies"][0]["scales"][0]["direction"] = True


def _scale_without_why(data):
    del data["competencies"][0]["scales"][0]["why"]


def _four_scales(data):
    data["competencies"][0]["scales"] = [
        {"scale": s, "direction": 1, "why": {"sv": "Skäl.", "en": "Reason."}}
        for s in ("logic.theta", "personality.OP", "personality.CO", "personality.ES")
    ]


def _duplicate_key(data):
    data["competencies"][1]["key"] = data["competencies"][0]["key"]


def _custom_key_in_library(data):
    data["competencies"][0]["key"] = "custom.problem_solving"


def _unknown_field(data):
    data["competencies"][0]["notes"] = "intern kommentar"


def _wrong_format(data):
    data["format"] = "second-opinion/inventory"


def _duplicate_question(data):
    qs = data["competencies"][0]["questions"]
    qs[1]["question"] = copy.deepcopy(qs[0]["question"])


FIRST = "problem_solving"
SECOND = "drive"


@pytest.mark.parametrize(
    "breakage, key, fragment",
    [
        (_drop_sv_name, FIRST, "name: sv text missing or empty"),
        (_empty_en_probe, SECOND, "question 1: probe 1: en text missing or empty"),
        (_level_6, FIRST, "level 6 is not allowed"),
        (_level_missing, FIRST, "indicators: level 3 missing"),
        (_three_questions, FIRST, "3 questions, 4-6 required"),
        (_seven_questions, FIRST, "7 questions, 4-6 required"),
        (_two_probes, FIRST, "question 1: 2 probes, 3-4 required"),
        (_five_probes, FIRST, "question 1: 5 probes, 3-4 required"),
        (_unknown_scale, FIRST, "unknown scale 'personality.CO.grit'"),
        (_direction_zero, FIRST, "direction 0 must be 1 or -1"),
        (_direction_true, FIRST, "direction True must be 1 or -1"),
        (_scale_without_why, FIRST, "missing field 'why'"),
        (_four_scales, FIRST, "4 scale links, at most 3"),
        (_duplicate_key, FIRST, "duplicate key"),
        (_custom_key_in_library, "custom.problem_solving", "must be lower-case"),
        (_unknown_field, FIRST, "unknown field 'notes'"),
        (_duplicate_question, FIRST, "question 2: same sv text as an earlier question"),
    ],
)
def test_each_rule_catches_a_broken_library(tmp_path, breakage, key, fragment):
    data = shipped_library_data()
    breakage(data)
    path = write_json(tmp_path / "broken.json", data)
    with pytest.raises(LibraryError) as info:
        load_library(path)
    matching = [p for p in info.value.problems if fragment in p]
    assert matching, info.value.problems
    assert all(p.startswith(f"broken.json: competency {key}: ") for p in matching), matching


def test_wrong_format_is_reported(tmp_path):
    data = shipped_library_data()
    _wrong_format(data)
    with pytest.raises(LibraryError, match=r"broken\.json: format 'second-opinion/inventory'"):
        load_library(write_json(tmp_path / "broken.json", data))


def test_every_problem_is_reported_at_once(tmp_path):
    data = shipped_library_data()
    _drop_sv_name(data)
    _unknown_scale(data)
    data["competencies"][2]["indicators"]["6"] = {"sv": "x", "en": "x"}
    with pytest.raises(LibraryError) as info:
        load_library(write_json(tmp_path / "broken.json", data))
    assert len(info.value.problems) == 3, info.value.problems
    assert str(info.value).count("\n") == 2


def test_duplicate_json_keys_and_bad_json_are_reported(tmp_path):
    dup = tmp_path / "dup.json"
    dup.write_text('{"format": "second-opinion/competencies", "format": "x"}', encoding="utf-8")
    with pytest.raises(LibraryError, match=r"dup\.json: duplicate JSON key 'format'"):
        load_library(dup)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(LibraryError, match=r"bad\.json: not valid JSON"):
        load_library(bad)
    with pytest.raises(LibraryError, match=r"missing\.json: cannot read file"):
        load_library(tmp_path / "missing.json")


def test_an_edited_file_is_reloaded(tmp_path):
    data = shipped_library_data()
    path = write_json(tmp_path / "lib.json", data)
    assert load_library(path)[FIRST].name["en"] == data["competencies"][0]["name"]["en"]
    data["competencies"][0]["name"]["en"] = "Problem solving, renamed"
    write_json(path, data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_library(path)[FIRST].name["en"] == "Problem solving, renamed"


# ----------------------------------------------------------- broken template copies

def _template_unknown_competency(data):
    data["templates"][0]["competencies"][0]["key"] = "charisma"


@pytest.mark.parametrize(
    "breakage, fragment",
    [
        (_template_unknown_competency, "template manager: competency charisma: not in the competency library"),
        (lambda d: d["templates"][0]["competencies"][0].update(weight=6), "weight 6 must be an integer 1-5"),
        (lambda d: d["templates"][0]["competencies"][0].update(target_level=0), "target_level 0 must be"),
        (lambda d: d["templates"][0]["competencies"][0].update(must="yes"), "must 'yes' must be true or false"),
        (lambda d: d["templates"][0].update(logic_min_percentile=100), "logic_min_percentile 100"),
        (lambda d: d["templates"][1].update(key="manager"), "template manager: duplicate key"),
        (lambda d: d["templates"][0]["competencies"].append(
            copy.deepcopy(d["templates"][0]["competencies"][0])), "listed twice"),
        (lambda d: d["templates"][1]["name"].pop("sv"), "template specialist: name: sv text missing"),
        (lambda d: d["templates"][1]["competencies"].__delitem__(slice(4, None)),
         "template specialist: 4 competencies, 5-8 required"),
    ],
)
def test_each_rule_catches_a_broken_template_file(tmp_path, breakage, fragment):
    data = shipped_templates_data()
    breakage(data)
    path = write_json(tmp_path / "templates.json", data)
    with pytest.raises(LibraryError) as info:
        load_templates(path)
    assert any(p.startswith("templates.json: ") and fragment in p for p in info.value.problems), \
        info.value.problems


def test_templates_are_checked_against_the_library_given():
    library = load_library()
    del library["leadership"]
    with pytest.raises(LibraryError, match="competency leadership: not in the competency library"):
        load_templates(library=library)


# ------------------------------------------------------------------ custom competencies

def good_custom() -> dict:
    data = copy.deepcopy(shipped_library_data()["competencies"][0])
    data["key"] = "custom.safety_culture"
    return data


def test_validate_custom_accepts_a_good_competency():
    assert validate_custom(good_custom()) == []
    # a consultant may link a scale without writing a reason
    data = good_custom()
    data["scales"] = [{"scale": "personality.CO.dependability", "direction": 1}]
    assert validate_custom(data) == []
    built = custom_competency(data)
    assert built.custom and built.key == "custom.safety_culture"
    assert built.scales[0].why == {}
    assert list(built.indicators) == [1, 2, 3, 4, 5]


def _set(path, value):
    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


@pytest.mark.parametrize(
    "change, fragment",
    [
        (_set(["key"], "safety_culture"), "must start with 'custom.'"),
        (_set(["key"], "custom.Säkerhet"), "must start with 'custom.'"),
        (_set(["key"], "custom." + "x" * 80), "longer than 80 characters"),
        (_set(["name", "sv"], KeyError), "name: sv text missing or empty"),
        (_set(["definition", "en"], ""), "definition: en text missing or empty"),
        (_set(["indicators", "6"], {"sv": "a", "en": "b"}), "level 6 is not allowed"),
        (lambda d: d["questions"].__delitem__(slice(3, None)), "questions: 3 questions, 4-6 required"),
        (lambda d: d["questions"][0]["probes"].__delitem__(slice(2, None)), "2 probes, 3-4 required"),
        (_set(["scales"], [{"scale": "personality.XX", "direction": 1}]), "unknown scale"),
        (_set(["scales"], [{"scale": "logic.theta", "direction": 2}]), "direction 2 must be 1 or -1"),
        (_set(["questions"], "Berätta om ..."), "questions: must be a list"),
    ],
)
def test_validate_custom_reports_problems(change, fragment):
    data = good_custom()
    change(data)
    problems = validate_custom(data)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(LibraryError):
        custom_competency(data)


def test_validate_custom_rejects_what_is_not_a_competency():
    assert validate_custom([]) == ["must be an object"]  # type: ignore[arg-type]
    problems = validate_custom({"key": "custom.x"})
    assert {"missing field 'name'", "missing field 'questions'"} <= set(problems)

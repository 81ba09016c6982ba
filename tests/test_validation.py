"""The shared field checks of item_banks.validation (the validators' own tests cover the wording)."""
from __future__ import annotations

import pytest

from item_banks.validation import (
    array_field,
    duplicate_ids,
    is_int,
    is_number,
    objects,
    text_faults,
)


@pytest.mark.parametrize(
    ("value", "faults"),
    [
        ({"sv": "Hej", "en": "Hello"}, []),
        ("Hello", None),
        (["sv", "en"], None),
        ({"en": "Hello"}, [("sv", "missing")]),
        ({"sv": 3, "en": "  "}, [("sv", "not a string"), ("en", "empty")]),
        ({"sv": "Hej", "en": "Hello", "zz": 1, "de": "Hallo"}, [("de", "unknown"), ("zz", "unknown")]),
    ],
)
def test_text_faults(value, faults):
    assert text_faults(value) == faults


@pytest.mark.parametrize(
    ("value", "whole", "number"),
    [(1, True, True), (True, False, False), (1.5, False, True), (float("nan"), False, False),
     (float("inf"), False, False), ("1", False, False), (None, False, False)],
)
def test_is_int_and_is_number(value, whole, number):
    assert (is_int(value), is_number(value)) == (whole, number)


def test_objects_label_entries_and_report_the_rest():
    out: list[str] = []
    entries = [{"id": "A-1"}, "text", {"id": " "}, {"x": 1}]
    found = [(i, where) for i, where, _ in objects(entries, "f.json", "item", out)]
    assert found == [(0, "f.json: item A-1"), (2, "f.json: item #3"), (3, "f.json: item #4")]
    assert out == ["f.json: item #2: must be an object, not string"]


def test_duplicate_ids_and_array_field():
    out: list[str] = []
    duplicate_ids([{"id": "B"}, {"id": "A"}, {"id": "B"}, {"id": "A"}, {"id": "A"}, "B"], "f.json", "item", out)
    assert out == ["f.json: item A: duplicate id (used 3 times)", "f.json: item B: duplicate id (used 2 times)"]
    out.clear()
    assert array_field({"items": [1]}, "items", "f.json", out) == [1]
    assert array_field({}, "items", "f.json", out) is None and out == []
    assert array_field({"items": {}}, "items", "f.json", out) is None
    assert out == ["f.json: items must be an array"]

"""English names for the teams in deductive items.

The deductive generator (``item_banks.generators.deductive.TEAMS``) draws team names from a
Swedish list; they are the language-neutral ids in an item's ``structure``. Since bank
``logic-aig`` 3.0.1 the generator writes each team's English name into the ``en`` texts
(:func:`english_text`), and ``checks.check_deductive_item`` looks for the name of each
language (:func:`name_in`).

Bank 3.0.0 (archived in ``data/archive``, still loadable for the attempts stamped with it)
named the teams in Swedish in both languages. Its English practice item is shown with
English names by :func:`with_english_team_names`: practice items are shown for
familiarisation only, never scored, and nothing of their content is stored. Operational
items are shown as stamped: what a candidate answered must be the stamped bank's text.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .loader import LogicItem

#: Every team of ``generators.deductive.TEAMS`` with its English name.
TEAMS_EN: Mapping[str, str] = MappingProxyType({
    "Team Norr": "Team North", "Team Syd": "Team South", "Team Öst": "Team East", "Team Väst": "Team West",
    "Team Mitt": "Team Central", "Team Kust": "Team Coast", "Team Fjäll": "Team Mountain",
})
_TEAM = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in sorted(TEAMS_EN, key=len, reverse=True)))


def name_in(lang: str, name: str) -> str:
    """How the entity ``name`` (a structure id: a first name or a Swedish team name) reads
    in ``lang``."""
    return TEAMS_EN.get(name, name) if lang == "en" else name


def english_text(text: str) -> str:
    """``text`` with every Swedish team name replaced by its English name."""
    return _TEAM.sub(lambda m: TEAMS_EN[m.group(0)], text)


def _english(text: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if text is None or "en" not in text:
        return text
    return {**text, "en": english_text(text["en"])}


def _english_texts(stem, explanation, options) -> dict:
    """An item's stem, explanation and options with English team names in their ``en``
    texts (figure options as they are)."""
    return {"stem": _english(stem), "explanation": _english(explanation),
            "options": [_english(o) if "svg" not in o else o for o in options]}


def with_english_names(item: dict) -> dict:
    """A generated item (format-version-2 dict) with English team names in its ``en`` stem,
    options and explanation; the Swedish texts, the key and the structure unchanged."""
    return {**item, **_english_texts(item["stem"], item["explanation"], item["options"])}


def with_english_team_names(item: LogicItem) -> LogicItem:
    """A practice item with the teams in its English stem, options and explanation named
    in English (the Swedish texts, the key and the structure unchanged): for bank versions
    before 3.0.1. Operational items are returned as they are: what a candidate answered
    must be the stamped bank's text."""
    if not item.practice or item.type != "deductive":
        return item
    texts = _english_texts(item.stem, item.explanation, item.options)
    return dataclasses.replace(item, **{**texts, "options": tuple(texts["options"])})

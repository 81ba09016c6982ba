"""English names for the teams in deductive items, for the English practice item.

The deductive generator (``item_banks.generators.deductive.TEAMS``) names teams in Swedish
in both languages, so the shipped bank's English practice item reads "Team Kust sold more
during the quarter than Team Fjäll". The item texts are part of the bank version that
attempts are stamped with and cannot change under the same version; the English names of
operational items need a new bank version (docs/technical-manual.md, "Known limits",
"English team names").

Practice items are different: they are shown for familiarisation only, never scored, and
nothing of their content is stored (the candidate's record keeps only how far they got), so
their English texts can use English names when shown, without touching the bank.
:func:`with_english_team_names` does that for one item.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType

from .loader import LogicItem

#: Every team of ``generators.deductive.TEAMS`` with its English name.
TEAMS_EN: Mapping[str, str] = MappingProxyType({
    "Team Norr": "Team North", "Team Syd": "Team South", "Team Öst": "Team East", "Team Väst": "Team West",
    "Team Mitt": "Team Central", "Team Kust": "Team Coast", "Team Fjäll": "Team Mountain",
})
_TEAM = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in sorted(TEAMS_EN, key=len, reverse=True)))


def _english(text: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if text is None or "en" not in text:
        return text
    return {**text, "en": _TEAM.sub(lambda m: TEAMS_EN[m.group(0)], text["en"])}


def with_english_team_names(item: LogicItem) -> LogicItem:
    """A practice item with the teams in its English stem, options and explanation named
    in English (the Swedish texts, the key and the structure unchanged). Operational items
    are returned as they are: what a candidate answered must be the stamped bank's text."""
    if not item.practice or item.type != "deductive":
        return item
    return dataclasses.replace(item, stem=_english(item.stem), explanation=_english(item.explanation),
                               options=tuple(_english(o) if "svg" not in o else o for o in item.options))

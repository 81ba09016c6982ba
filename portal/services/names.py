"""Names of test scales and evidence sources in a language, for the pages (through
``portal.labels``) and for the services that write texts (reports), which import no Flask:
the caller passes the translation (``gettext``, already in the language) and the inventory.
"""
from __future__ import annotations

from collections.abc import Callable

from item_banks import Inventory


def N_(message: str) -> str:
    """Marks ``message`` for the translation catalogue (``pybabel extract`` knows ``N_``);
    it is translated where it is shown."""
    return message


#: Where a piece of evidence comes from (``portal.synthesis.Evidence.key``).
EVIDENCE_SOURCES = {
    "logic": N_("Logic test"),
    "personality": N_("Personality inventory"),
    "interview": N_("Interview"),
    "reference": N_("References"),
}


def inventory_scale_names(inventory: Inventory, lang: str) -> dict[str, str]:
    """The inventory's own domain and facet names in ``lang``, by scale key
    (``personality.CO``, ``personality.CO.order``)."""
    names = {}
    for domain in inventory.domains:
        for part in (domain, *domain.facets):
            names[f"personality.{part.id}"] = part.name.get(lang) or part.id
    return names


def scale_name(scale: str, lang: str, inventory: Inventory, gettext: Callable[..., str]) -> str:
    """A test scale's name in ``lang``: "Logic test (reasoning ability)", or the
    inventory's own domain or facet name ("Personality: Order"); ``gettext`` translates
    into ``lang``."""
    if scale.startswith("logic."):
        return gettext("Logic test (reasoning ability)")
    name = inventory_scale_names(inventory, lang).get(scale)
    return gettext("Personality: %(name)s", name=name) if name else scale

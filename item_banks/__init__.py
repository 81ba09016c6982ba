"""Item banks for the logic test and the personality inventory.

Pure Python + numpy: file formats (see ``FORMAT.md``), validation and content checks
(``item_banks.checks``), loading, the item generators (``item_banks.generators``, bank
assembly in ``item_banks.generate``), a-priori 3PL parameters (``item_banks.difficulty``),
form assembly and raw scoring. Nothing here imports the web application.
"""

from .checks import difficulty_report
from .inventory import (
    Domain,
    DomainScore,
    Facet,
    FacetScore,
    Inventory,
    Statement,
    load_inventory,
    score_facets,
    score_inventory,
)
from .difficulty import DIFFICULTY_MODEL_VERSION, apriori_parameters
from .loader import LogicBank, LogicItem, load_logic_bank, validate_file
from .schema import ITEM_TYPES, LANGUAGES, BankError
from .scoring import score_logic, select_form

__all__ = [
    "DIFFICULTY_MODEL_VERSION",
    "ITEM_TYPES",
    "LANGUAGES",
    "BankError",
    "Domain",
    "DomainScore",
    "Facet",
    "FacetScore",
    "Inventory",
    "LogicBank",
    "LogicItem",
    "Statement",
    "apriori_parameters",
    "difficulty_report",
    "load_inventory",
    "load_logic_bank",
    "score_facets",
    "score_inventory",
    "score_logic",
    "select_form",
    "validate_file",
]

"""Item banks for the logic test and the personality inventory.

Pure Python + numpy: file formats (see ``FORMAT.md``), validation, loading, the starter
content generator (``item_banks.starter``), form assembly and raw scoring. Nothing here
imports the web application.
"""

from .inventory import Domain, DomainScore, Inventory, Statement, load_inventory, score_inventory
from .loader import LogicBank, LogicItem, load_logic_bank
from .schema import ITEM_TYPES, LANGUAGES, BankError, validate_file
from .scoring import score_logic, select_form

__all__ = [
    "ITEM_TYPES",
    "LANGUAGES",
    "BankError",
    "Domain",
    "DomainScore",
    "Inventory",
    "LogicBank",
    "LogicItem",
    "Statement",
    "load_inventory",
    "load_logic_bank",
    "score_inventory",
    "score_logic",
    "select_form",
    "validate_file",
]

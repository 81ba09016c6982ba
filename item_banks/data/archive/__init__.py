"""Earlier shipped versions of the logic bank, kept so that attempts stamped with them still
load after a release replaces ``logic_bank.json`` (``item_banks.archive``)."""

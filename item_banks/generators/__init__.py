"""Automatic item generators: item models that write logic bank items.

One module per item type: ``number_series``, ``letter_series``, ``deductive`` and
``matrix``. Each has ``MODEL_VERSION`` and ``generate_<type>_items(rng, n, *, id_prefix,
start=1, practice=False)``, which returns items in the format-version-2 layout (without
``irt``; :mod:`item_banks.generate` adds a-priori parameters). The same ``rng`` state
gives the same items.
"""

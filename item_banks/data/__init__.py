"""Shipped bank files (JSON); a package so the files are installed with item_banks."""

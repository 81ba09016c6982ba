"""Item banks, inventory, norm tables and the clock, as configured for the app."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app, g

from item_banks import Inventory, LogicBank, load_inventory, load_logic_bank
from norms import NormTable, load_norm_table

from .db import get_session
from .models import utcnow
from .services import bank_versions
from .services.invitations import InvitationSettings
from .services.journey import Timing
from .services.norm_tables import norm_info, norm_table_for_ref  # noqa: F401  (the pages use res.norm_info)
from .services.set_password import LinkSettings


def now() -> datetime:
    """Current UTC time; tests may set ``CLOCK`` to a callable to move time."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else utcnow()


def attachment_dir() -> Path:
    """Where background-check attachments are stored (``ATTACHMENT_DIR``, else instance/attachments)."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def shipped_logic_bank() -> LogicBank:
    """The bank file the portal came with (``LOGIC_BANK_PATH``, else the shipped file)."""
    return load_logic_bank(current_app.config.get("LOGIC_BANK_PATH"))


def _version_cache() -> dict:
    return current_app.extensions.setdefault("portal.bank_versions", {})


def logic_bank() -> LogicBank:
    """The active bank version: the one new attempts get (one query per request)."""
    if "active_logic_bank" not in g:
        g.active_logic_bank = bank_versions.active_bank(get_session(), shipped_logic_bank(), _version_cache())
    return g.active_logic_bank


def logic_bank_for(attempt) -> LogicBank:
    """The bank version stamped on ``attempt``, which gives, scores and regenerates it
    (no query once a worker has loaded the version)."""
    return bank_versions.bank_for_attempt(get_session(), shipped_logic_bank(), attempt, _version_cache())


def logic_bank_version(bank_id: str, version: str) -> LogicBank:
    return bank_versions.load_version(get_session(), shipped_logic_bank(), bank_id, version, _version_cache())


def pretest_items_per_attempt() -> int:
    return int(current_app.config.get("PRETEST_ITEMS_PER_ATTEMPT", 2))


def inventory() -> Inventory:
    return load_inventory(current_app.config.get("INVENTORY_PATH"))


def norm_table(group: str) -> NormTable:
    return load_norm_table(group)


def invitation_settings() -> InvitationSettings:
    cfg = current_app.config
    return InvitationSettings(
        secret_key=cfg["SECRET_KEY"],
        max_age_days=cfg["INVITATION_MAX_AGE_DAYS"],
        base_url=cfg["BASE_URL"],
    )


def set_password_settings() -> LinkSettings:
    cfg = current_app.config
    return LinkSettings(
        secret_key=cfg["SECRET_KEY"],
        lifetime_hours=cfg["SET_PASSWORD_LINK_HOURS"],
        base_url=cfg["BASE_URL"],
        languages=tuple(cfg.get("LANGUAGES", ("sv", "en"))),
        admin_two_factor=bool(cfg.get("REQUIRE_ADMIN_2FA", True)),
    )


def timing() -> Timing:
    return Timing(grace_seconds=current_app.config["ANSWER_GRACE_SECONDS"])

"""What one run of a background worker did (the mail worker's outbox and webhook rounds)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar


@dataclass
class RunCounts:
    """Counts only: no addresses, links or payloads, so a run can be logged and printed.
    A subclass declares its counts as ``int`` fields and names in ``PROCESSED`` those of
    the items the run took in hand (what its batch limit counts)."""

    PROCESSED: ClassVar[tuple[str, ...]] = ()

    @property
    def processed(self) -> int:
        return sum(getattr(self, name) for name in self.PROCESSED)

    def count(self, name: str) -> None:
        """One more of ``name`` (a field)."""
        setattr(self, name, getattr(self, name) + 1)

    def __iadd__(self, other: RunCounts) -> RunCounts:
        """Add another run's counts (a worker's total over its runs)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

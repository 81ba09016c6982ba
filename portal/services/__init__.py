"""Use cases. Services take a database session and plain values (``now``,
banks, norm tables), never ``request``; they ``flush()`` and leave the commit to
the caller (the request's commit point or the CLI command)."""

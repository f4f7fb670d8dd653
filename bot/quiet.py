"""Silences the dependencies' deprecation warnings at their source, before they are imported.

`PYTHONWARNINGS=ignore` is not enough: importing Sanic runs
`filterwarnings("once", category=DeprecationWarning)`, which goes in front of it, so every
deprecated call in TensorFlow, SQLAlchemy, pyparsing, Click and others printed once at each
start. This imports Sanic first and then puts "ignore" in front again. Our own code's
warnings are not affected (they are not deprecations), and tests keep pytest's own filters.
"""

from __future__ import annotations

import logging
import warnings

_QUIET = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ImportWarning)


def _not_the_production_notice(record: logging.LogRecord) -> bool:
    # Sanic says "running in PRODUCTION mode, consider --debug" whenever stdout is a terminal.
    return "PRODUCTION mode" not in str(record.msg)


def silence() -> None:
    """Call first in a process's entry point, before Rasa or rasa-sdk is imported."""
    import sanic.app  # noqa: F401 - its import-time filter must already be in place
    from pyparsing.warnings import PyparsingDeprecationWarning  # also a UserWarning

    for category in (*_QUIET, PyparsingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    # Alembic announces every plugin it loads at INFO on each start; keep only its problems.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    sanic_errors = logging.getLogger("sanic.error")
    if _not_the_production_notice not in sanic_errors.filters:
        sanic_errors.addFilter(_not_the_production_notice)

"""``python -m tests.production.serve_with_slow_table serve ...``: the real command line, with the slow table loadable."""

from __future__ import annotations

import handlers
from chatops.cli import main

if __name__ == "__main__":
    handlers.TABLE_MODULES["slowtest"] = "tests.production.slow_table"
    raise SystemExit(main())

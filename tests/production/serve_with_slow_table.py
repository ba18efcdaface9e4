"""``python -m tests.production.serve_with_slow_table serve ...``: the real command line, with the slow table loadable."""

from __future__ import annotations

import handlers
from chatops.cli import main

# At import, not under the main guard: `serve --workers` processes import this module again, as __mp_main__.
handlers.TABLE_MODULES["slowtest"] = "tests.production.slow_table"

if __name__ == "__main__":
    raise SystemExit(main())

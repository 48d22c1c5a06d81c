"""``make bench``: run every ``bench/bench_*.py`` module's ``main()`` in turn.

Each benchmark prints ratios against the raw libraries measured in the same run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    paths = sorted(here.glob("bench_*.py"))
    names = [p.stem.removeprefix("bench_") for p in paths]
    only = set(sys.argv[1:])
    unknown = sorted(only - set(names))
    if unknown:  # a typo would otherwise run nothing and look like success
        print(f"unknown benchmark {', '.join(unknown)}; valid: {', '.join(names)}", file=sys.stderr)
        return 2
    for path in paths:
        if only and path.stem.removeprefix("bench_") not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

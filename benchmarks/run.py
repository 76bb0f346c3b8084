"""`make bench`: run every benchmark in this folder, each in its own process, one after the other.

Each benchmark prints its own medians, ratios and targets; this exits non-zero if one of them fails
to run (a missed target is reported, not failed: these machines are shared and timings vary).
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in {"run.py", "__init__.py"}:
            continue
        print(f"::: {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode:
            print(f"{script.name} failed with exit code {result.returncode}", flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

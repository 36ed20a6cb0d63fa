"""Instructions per on-topic sentence, counted with valgrind's callgrind: a measure that does
not move with a noisy machine (the same count, to the fifth digit, on every run), for judging
a change to the engine when wall times move by a third from one run to the next.

The warm engine (1,000 paragraphs first) reads N generated on-topic sentences (bench/ontopic.py,
seed 7, five to a paragraph); the same run with no sentences is subtracted, so start-up and the
warm-up cancel out. Needs `valgrind` (Debian package). Both runs go in parallel (2 cores).

Usage: python bench/bench_instructions.py [--sentences 3000] [--no-classifier]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _workload(n: int, classifier: bool) -> None:
    """What each valgrind run executes (in this same file, `--run N`)."""
    sys.path.insert(0, str(HERE))
    from ontopic import paragraphs

    from bias_review.detect.registry import DEFAULT_DETECTORS, RULES_ONLY
    from bias_review.engine import Engine
    from bias_review.findings import Location
    from bias_review.parse.document import Block

    engine = Engine(detectors=DEFAULT_DETECTORS if classifier else RULES_ONLY)
    warm = [Block(p, Location(paragraph=i)) for i, p in enumerate(paragraphs(1_000, seed=3))]
    engine.analyze_blocks(warm, path="warm")
    if n:
        blocks = [Block(p, Location(paragraph=i)) for i, p in enumerate(paragraphs(n, seed=7))]
        engine.analyze_blocks(blocks, path="bench")


def _count(n: int, classifier: bool, out: Path) -> subprocess.Popen:
    cmd = ["valgrind", "--tool=callgrind", "--cache-sim=no", f"--callgrind-out-file={out}",
           sys.executable, __file__, "--run", str(n)] + ([] if classifier else ["--no-classifier"])
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=3_000)
    ap.add_argument("--no-classifier", action="store_true")
    ap.add_argument("--run", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    classifier = not args.no_classifier
    if args.run is not None:
        _workload(args.run, classifier)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {n: _count(n, classifier, Path(tmp) / f"cg.{n}") for n in (0, args.sentences)}
        counts = {}
        for n, proc in runs.items():
            _, err = proc.communicate()
            found = re.search(r"Collected : (\d+)", err)
            if proc.returncode != 0 or found is None:
                sys.exit(f"callgrind run with {n} sentences failed:\n{err[-2000:]}")
            counts[n] = int(found.group(1))
    per = (counts[args.sentences] - counts[0]) / args.sentences
    print(f"on-topic sentences, {'with' if classifier else 'without'} classifier: "
          f"{per / 1e6:.3f} million instructions a sentence ({args.sentences} sentences)")


if __name__ == "__main__":
    main()

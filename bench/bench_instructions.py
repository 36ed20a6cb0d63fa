"""Instructions per on-topic sentence, counted with valgrind's callgrind: a measure that does
not move with a noisy machine (the same count, to the fifth digit, on every run), for judging
a change to the engine when wall times move by a third from one run to the next.

The warm engine (1,000 paragraphs first) reads N generated on-topic sentences (bench/ontopic.py,
seed 7, five to a paragraph); the same run with no sentences is subtracted, so start-up and the
warm-up cancel out. Needs `valgrind` (Debian package). Both runs go in parallel (2 cores).

`--startup` counts start-up instead: whole `bias-review scan` commands of a one-page text (the
first 3,000 characters of a real drug label), with and without the classifier, the lexicon
cache warm, against the floor (Python importing spaCy and building its blank pipeline).

Usage: python bench/bench_instructions.py [--sentences 3000] [--no-classifier] [--startup]
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


def _instructions(cmd: list[str], out: Path) -> subprocess.Popen:
    """A command started under callgrind (its output discarded); `_collected` reads the count."""
    return subprocess.Popen(["valgrind", "--tool=callgrind", "--cache-sim=no", f"--callgrind-out-file={out}", *cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _collected(proc: subprocess.Popen, what: str) -> int:
    """The instructions callgrind counted for a finished run."""
    _, err = proc.communicate()
    found = re.search(r"Collected : (\d+)", err)
    if proc.returncode != 0 or found is None:
        sys.exit(f"callgrind run of {what} failed:\n{err[-2000:]}")
    return int(found.group(1))


def _startup() -> None:
    """Instructions of whole one-page scans and of the floor under them."""
    label = HERE.parents[1] / "shared" / "corpus" / "real" / "us-federal" / "fda-label-carbamazepine-tegretol.txt"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "one-page.txt"
        page.write_text(label.read_text(encoding="utf-8")[:3_000], encoding="utf-8")
        scan = [sys.executable, "-m", "bias_review.cli", "scan", str(page)]
        subprocess.run(scan, stdout=subprocess.DEVNULL, check=False)  # fill the lexicon cache
        runs = {"floor: Python + import spaCy + spacy.blank('en')":
                [sys.executable, "-c", "import bias_review, spacy; spacy.blank('en')"],
                "one-page text, with classifier": scan,
                "one-page text, without classifier": [*scan, "--no-classifier"]}
        counts = {}
        for what, cmd in runs.items():  # one at a time: each is a whole process
            counts[what] = _collected(_instructions(cmd, Path(tmp) / "cg.out"), what)
    floor = next(iter(counts.values()))
    for what, n in counts.items():
        above = "" if n == floor else f"   ({(n - floor) / 1e6:,.0f} million above the floor)"
        print(f"start-up, {what}: {n / 1e6:,.0f} million instructions{above}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=3_000)
    ap.add_argument("--no-classifier", action="store_true")
    ap.add_argument("--startup", action="store_true", help="count start-up (whole one-page scans) instead")
    ap.add_argument("--run", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    classifier = not args.no_classifier
    if args.run is not None:
        _workload(args.run, classifier)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    if args.startup:
        _startup()
        return
    flag = [] if classifier else ["--no-classifier"]
    with tempfile.TemporaryDirectory() as tmp:  # both runs at once (2 cores)
        runs = {n: _instructions([sys.executable, __file__, "--run", str(n), *flag], Path(tmp) / f"cg.{n}")
                for n in (0, args.sentences)}
        counts = {n: _collected(proc, f"{n} sentences") for n, proc in runs.items()}
    per = (counts[args.sentences] - counts[0]) / args.sentences
    print(f"on-topic sentences, {'with' if classifier else 'without'} classifier: "
          f"{per / 1e6:.3f} million instructions a sentence ({args.sentences} sentences)")


if __name__ == "__main__":
    main()

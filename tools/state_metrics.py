"""Measure the combined engine on the dev, held-out and real-text evaluation sets and write the
numbers to models/metadata.json (`engine_metrics`), where the README and MODEL_CARD.md quote
them and tests/test_classifier.py holds the engine to them (within 0.02).

Usage: python tools/state_metrics.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = (("dev", "models/dev/dev.jsonl", None), ("heldout", "models/dev/heldout.jsonl", None),
        ("real_evaluation", "models/real", "evaluation"))


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from bias_review.engine import Engine
    from bias_review.evaluate import evaluate_engine, load_examples

    engine = Engine()
    out = {}
    for name, path, split in SETS:
        r = evaluate_engine(engine, load_examples(ROOT / path, split=split))
        out[name] = {"n": r.n, "precision": round(r.flag.precision, 3), "recall": round(r.flag.recall, 3),
                     "f1": round(r.flag.f1, 3), "precision_medium": round(r.flag_medium.precision, 3),
                     "recall_medium": round(r.flag_medium.recall, 3), "right_category": round(r.right_category, 3),
                     "false_flags_on_negatives": round(r.false_flag_rate_on_negatives, 3)}
        print(name, out[name])
    meta_path = ROOT / "models" / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["engine_metrics"] = out
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Write src/bias_review/data/word_logprob.tsv: the 30,000 most frequent English words and
their log-probabilities, taken from spacy-lookups-data's `lexeme_prob` table. The vocabulary
gate uses it to pick the rarest word of each lexicon pattern. Rerun after upgrading
spacy-lookups-data; the output is committed."""

from __future__ import annotations

import re
from pathlib import Path

import gzip
import json

import spacy_lookups_data

OUT = Path(__file__).resolve().parents[1] / "src" / "bias_review" / "data" / "word_logprob.tsv"
N = 30_000


def main() -> None:
    src = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    table = json.loads(gzip.open(src, "rt", encoding="utf-8").read())
    words: dict[str, float] = {}
    for w, prob in table.items():
        w = w.lower()
        if re.fullmatch(r"[a-z0-9]+", w) and (w not in words or prob > words[w]):
            words[w] = prob
    top = sorted(words.items(), key=lambda kv: -kv[1])[:N]
    OUT.write_text("".join(f"{w}\t{p:.3f}\n" for w, p in top), encoding="utf-8")
    print(f"wrote {len(top)} words to {OUT}")


if __name__ == "__main__":
    main()

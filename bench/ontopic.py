"""Generated on-topic text for benchmarks: sentences that pass the vocabulary gate (they name
a group, a race word, a clinical tool or a patient descriptor), about one in four of them a
finding. Deterministic (seeded); written for the benchmarks, not taken from any document."""

from __future__ import annotations

import random

GROUPS = ["Black", "African American", "Hispanic", "Latino", "Asian", "White", "South Asian",
          "Native American", "Pacific Islander", "Middle Eastern", "East Asian", "Caribbean"]
PEOPLE = ["patients", "adults", "women", "men", "children", "residents", "participants", "families"]
NEUTRAL = [
    "{g} {p} in the county reported longer travel times to the nearest clinic in {y}.",
    "The survey asked {g} {p} about their experience of the referral process.",
    "Residential segregation and income shaped the care that {g} {p} received.",
    "In {y}, the program enrolled {n} {g} {p} from three neighbourhoods.",
    "Researchers interviewed {g} {p} about discrimination in the emergency department.",
    "Access to dialysis differed for {g} {p} because of insurance and distance.",
    "The {y} cohort included {n} percent {g} {p} by self-report.",
    "Structural racism, not biology, explains the gap in outcomes for {g} {p}.",
    "The clinic translated its forms after {g} {p} asked for them in {y}.",
    "Ancestry, not race, predicts the frequency of the variant among {g} {p}.",
    "The history of the study is taught alongside the stories of {g} {p}.",
    "Community health workers met {g} {p} at the church on {d}.",
]
FINDINGS = [
    "Multiply the eGFR by 1.159 if the patient is Black.",
    "{g} {p} have denser bones, so screen them later.",
    "A {a}-year-old {g} man presents with chest pain and dyspnea.",
    "{g} {p} are often noncompliant with their medications.",
    "The Caucasian patient was started on metoprolol.",
    "The patient is a known drug seeker and a frequent flyer.",
    "For {g} {p}, start with a thiazide or a calcium channel blocker instead of an ACE inhibitor.",
    "Spirometry values were corrected for race using the {g} reference equation.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def sentences(n: int, *, seed: int = 7, finding_share: float = 0.25) -> list[str]:
    """`n` on-topic sentences, about `finding_share` of them findings."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        pool = FINDINGS if rng.random() < finding_share else NEUTRAL
        out.append(rng.choice(pool).format(
            g=rng.choice(GROUPS), p=rng.choice(PEOPLE), y=rng.randint(1990, 2024),
            n=rng.randint(3, 900), a=rng.randint(18, 90), d=rng.choice(DAYS)))
    return out


def paragraphs(n_sentences: int, *, per_paragraph: int = 5, seed: int = 7) -> list[str]:
    """The sentences grouped into paragraphs (blocks) of `per_paragraph`."""
    s = sentences(n_sentences, seed=seed)
    return [" ".join(s[i:i + per_paragraph]) for i in range(0, len(s), per_paragraph)]

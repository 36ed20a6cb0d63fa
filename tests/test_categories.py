"""Each category through the whole engine: positives that must be flagged with that category,
and hard negatives (race-conscious or neutral uses) that must stay quiet or only `info`.

These sentences were written for the tests; they are not in the dev, held-out or training sets.
"""

from __future__ import annotations

import pytest



def flags(engine, text: str) -> list:
    return [f for f in engine.analyze_text(text) if f.is_flag]

POSITIVES = {
    "race-correction": [
        "eGFR (if African American): multiply the CKD-EPI result by 1.159.",
        "Report two values on the renal panel: eGFR non-AA and eGFR AA.",
        "Use race-specific NHANES III reference equations when you interpret the spirometry of Black patients.",
        "The STONE score gives 3 points for non-black race.",
        "For Black patients without CKD, start a thiazide or a calcium channel blocker rather than an ACE inhibitor.",
        "Enter the donor's race when you calculate the KDRI for an African American donor.",
    ],
    "race-as-biology": [
        "Black patients have thicker skin, so they need less local anesthetic.",
        "African Americans are genetically predisposed to hypertension.",
        "Black people have denser bones, so osteoporosis screening can wait.",
        "Creatinine runs higher in Black patients because they have more muscle mass.",
    ],
    "race-in-vignette": [
        "A 34-year-old Hispanic woman presents with three days of dysuria.",
        "Mr. Lee, a 71-year-old Korean American man, is brought in by his daughter after a fall.",
        "Case 2: 45 y/o AA male c/o crushing chest pain.",
        "A White woman in her sixties comes to clinic with a new breast lump.",
    ],
    "stereotype": [
        "Sickle cell anemia is a Black disease.",
        "Hispanic patients are often noncompliant with insulin.",
        "Asian patients are stoic and rarely report their pain.",
        "Native American patients are usually heavy drinkers, so always start with the alcohol history.",
    ],
    "outdated-term": [
        "Ethnicity: Caucasian, non-smoker, lives alone.",
        "The infant has a Mongolian spot over the sacrum.",
        "Mongolism is associated with congenital heart defects.",
        "Emergency Medicaid covers labor and delivery for illegal aliens.",
    ],
    "stigmatizing-language": [
        "The patient is a known drug-seeker who was noncompliant with follow-up.",
        "He is a frequent flyer in our emergency department.",
        "She claims her pain is ten out of ten despite being comfortable.",
        "Urine drug screen was dirty for cocaine.",
        "Sign-out: unmotivated, missed three dialysis sessions this month.",
        "Has not been compliant with the insulin regimen since discharge.",
        "Resistance follows the misuse of antibiotics and patient noncompliance with the course of treatment.",
    ],
}

HARD_NEGATIVES = {
    "race-correction": [
        "The CKD-EPI 2021 equation estimates GFR from creatinine, age and sex, without race.",
        "In 2021 the NKF-ASN task force recommended removing race from eGFR reporting.",
        "ATS recommends race-neutral GLI Global equations for interpreting spirometry.",
        "Calculate the eGFR with the CKD-EPI equation before adjusting the metformin dose.",
        "OPTN now restores waiting time that Black candidates lost to race-inclusive eGFR.",
        "Patients of Asian descent may need a genetic blood test before they start carbamazepine.",
    ],
    "race-as-biology": [
        "APOL1 risk variants, more common in people with recent West African ancestry, raise the risk of kidney failure.",
        "Half of the residents endorsed the false belief that Black patients have thicker skin.",
        "Structural racism, not biology, drives the gap in hypertension control.",
        "HbS is common where malaria was endemic because carriers are partly protected.",
    ],
    "race-in-vignette": [
        "A 34-year-old woman presents with three days of dysuria.",
        "A 38-year-old man who self-identifies as Black describes being dismissed at two prior clinics.",
        "Black participants made up 24% of the cohort.",
        "A 29-year-old of Ashkenazi Jewish ancestry asks about BRCA carrier testing.",
    ],
    "stereotype": [
        "Sickle cell disease is most common in people whose ancestors lived where malaria was endemic.",
        "Mistrust of medicine among Black patients reflects the Tuskegee study and ongoing discrimination.",
        "Latino patients were less likely to be insured, which limited their access to insulin.",
        "Avoid the stereotype that Asian patients are stoic; ask every patient about their pain.",
        "Asian American communities are often called a “model minority”.",
    ],
    "outdated-term": [
        "The term 'Caucasian' comes from Blumenbach's discredited typology.",
        "Congenital dermal melanocytosis was formerly called the Mongolian spot.",
        "The NAACP filed an amicus brief in the case.",
        "The Caucasus mountains lie between the Black Sea and the Caspian Sea.",
        "Anthropologists abandoned Caucasoid and Negroid long ago.",
    ],
    "stigmatizing-language": [
        "Lung compliance decreases in pulmonary fibrosis.",
        "Multidrug-resistant tuberculosis requires a longer regimen.",
        "Review of systems: denies chest pain, fever or dyspnea.",
        "Avoid calling patients noncompliant; describe the barrier to taking the medicine.",
        "Obtain a clean-catch urine sample for culture.",
        "Diffuse large B-cell lymphoma is an aggressive lymphoma.",
        "Instrumental aggression is not motivated by anger or the wish to cause pain.",
        "Students who were unmotivated at the start of the term improved the most.",
    ],
}


@pytest.mark.parametrize("category, text", [(c, t) for c, ts in POSITIVES.items() for t in ts])
def test_positive_is_flagged_with_its_category(engine, category, text):
    found = flags(engine, text)
    assert found, f"nothing flagged in: {text}"
    assert category in {f.category.value for f in found}, [(f.category.value, f.text) for f in found]
    for f in found:
        assert f.explanation and f.references and f.passage[f.start:f.end] == f.text


@pytest.mark.parametrize("category, text", [(c, t) for c, ts in HARD_NEGATIVES.items() for t in ts])
def test_hard_negative_stays_quiet(engine, category, text):
    assert flags(engine, text) == [], [(f.category.value, f.text, f.severity.value) for f in flags(engine, text)]


def test_every_finding_names_its_detectors_and_reasons(engine):
    found = engine.analyze_text("For Black patients, multiply the MDRD eGFR by 1.212.")
    assert found
    for f in found:
        assert f.detectors and all(step.reason for step in f.trace)


def test_classifier_quiets_or_agrees_with_lexicon_hits(engine):
    agree = flags(engine, "For Black patients, multiply the MDRD eGFR by 1.212.")
    assert any("classifier" in f.detectors for f in agree)
    assert max(f.score for f in agree) > 0.8


# Rules for what real prose says (dose rules, tool inputs, drug response, risk and prevalence by
# group, race from remains, culture generalisations): each with the entry expected to fire, and
# a hard negative of the same shape that must not be flagged in that category. Written for the
# tests in the registers of drug labels, textbooks and lecture notes.
PROSE_RULES = [
    ("race-correction", "rc-dose-by-group",
     "Start at half the usual dose in patients of East Asian ancestry.",
     "Start at half the usual dose in patients carrying two CYP2C9 reduced-function alleles."),
    ("race-correction", "rc-dose-by-group",
     "Avoid large doses of niacin, especially if you are of Chinese descent.",
     "Avoid large doses of niacin, especially if you have liver disease."),
    ("race-correction", "rc-race-as-input",
     "The calculator takes the patient's age, race and sex into account.",
     "No differences in response by age, race or sex were observed."),
    ("race-as-biology", "bio-drug-response-by-group",
     "Drug exposure was about 40% higher in Black subjects than in White subjects.",
     "Drug exposure was similar in Black and White subjects."),
    ("race-as-biology", "bio-prevalence-by-group",
     "Glaucoma is more common in Black patients than in White patients.",
     "Glaucoma is more common in Black patients, a gap driven by unequal access to eye care."),
    ("race-as-biology", "bio-race-from-remains",
     "The next step is to estimate the age, sex and race of the skeletal remains.",
     "The next step is to estimate the age and sex of the skeletal remains."),
    ("stereotype", "stereo-group-generalisation",
     "In many Asian cultures, patients tend to hide their pain from doctors.",
     "The stereotype that Asian cultures hide pain has no support in the pain literature."),
    ("stereotype", "stereo-group-generalisation",
     "Latin American cultures tend to express pain loudly.",
     "Latin American clinics tend to have long waiting lists because of underfunding."),
    ("stigmatizing-language", "stig-hysteria-diagnosis",
     "Hyperventilation in the emergency department is often due to anxiety or hysteria.",
     "The MMPI includes a hysteria scale among its ten clinical scales."),
    ("stigmatizing-language", "stig-note-descriptor",
     "Sign-out: combative with nursing staff overnight, needs a sitter.",
     "Demanding schedules leave residents little time to eat with patients."),
    ("stigmatizing-language", "stig-failed-treatment",
     "The patient failed two courses of antibiotics before admission.",
     "Two courses of antibiotics did not clear the infection before admission."),
    ("stereotype", "stereo-people-generalisation",
     "Nigerian men are generally loud and demanding in clinic.",
     "Nigerian men typically present with advanced disease at diagnosis."),
    # measured drug levels compared between groups are a finding about exposure, not a race rule
    ("race-correction", "rc-dose-by-group",
     "Reduce the starting dose by 50% in Japanese patients.",
     "After the recommended dosage, the AUC decreased by 36% in Japanese patients compared with White patients."),
    ("race-correction", "rc-scale-down-predicted-black",
     "Reduce predicted FEV1 by 12% for Black patients.",
     "The Cmax decreased by 30% in Black subjects compared with White subjects."),
]


@pytest.mark.parametrize("category, entry, positive, negative", PROSE_RULES, ids=[r[1] for r in PROSE_RULES])
def test_prose_rules_fire_and_their_hard_negatives_stay_quiet(engine, category, entry, positive, negative):
    found = flags(engine, positive)
    assert any(f.category.value == category and f"lexicon:{entry}" in f.detectors for f in found), \
        [(f.category.value, f.detectors) for f in found]
    assert not [f for f in flags(engine, negative) if f.category.value == category], \
        [(f.category.value, f.detectors, [t.reason for t in f.trace]) for f in flags(engine, negative)]


# A lexicon term inside a proper name (an instrument, a work, a body) is a mention; the same
# term in a capitalised run with no name head in it (a place, a table header, a heading) is not.
NAMES = [
    ("outdated-term", "The updated version is the Contemporized-Themes Concerning Blacks Test (C-TCB).",
     "Blacks Were Excluded From The Trial"),
    ("outdated-term", "The United Negro College Fund has supported students since 1944.",
     "Negro patients were admitted to a separate ward."),
    ("outdated-term", "She published in the Journal of Negro Education.",
     "Health outcomes among Gypsies in Eastern Europe are poorly documented."),
    ("stigmatizing-language", "He has attended Alcoholics Anonymous meetings every week since March.",
     "The patient is an alcoholic who presented to the emergency department."),
]


@pytest.mark.parametrize("category, name, used", NAMES, ids=[n[1][:30] for n in NAMES])
def test_a_term_inside_a_proper_name_is_a_mention_and_the_same_term_used_is_flagged(engine, category, name, used):
    quiet = [f for f in flags(engine, name) if f.category.value == category]
    assert quiet == [], [(f.category.value, f.text) for f in quiet]
    seen = [f for f in engine.analyze_text(name) if f.category.value == category]
    assert seen, "the term was found and kept as info (a name), not missed"
    assert [f for f in flags(engine, used) if f.category.value == category]


def test_the_named_rule_itself_explains_a_name_no_entry_lists(rules_engine):
    found = [f for f in rules_engine.analyze_text("Scores on the Themes Concerning Blacks Test were compared.")
             if f.category.value == "outdated-term"]
    assert found and all(f.severity.value == "info" for f in found)
    assert any(t.source == "context:named" and "Themes Concerning Blacks Test" in t.reason for f in found for t in f.trace)


# Words inside a quotation are someone else's: a term in them is mentioned, not used, also when
# the quotation opened in an earlier sentence; the same words unquoted are flagged.
QUOTATIONS = [
    ("outdated-term", 'The agency wrote that “minorities are more likely than non-Hispanic whites to be uninsured,” '
                      'and the chapter goes on.',
     "Minorities are more likely than non-Hispanic whites to be uninsured."),
    ("outdated-term", "Orientals and Negroes were seen at separate clinics.”",
     "Orientals and Negroes were seen at separate clinics."),
    ("stigmatizing-language", "He wrote: “I was an addict, and nobody would treat me.”",
     "The patient is an addict who wants pills."),
    ("outdated-term", 'Buses Carrying Illegal Aliens Turned Back at the Border."',
     "Buses carrying illegal aliens were turned back at the border."),
]


def test_a_quoted_chart_excerpt_is_the_record_itself_and_stays_flagged(engine):
    found = flags(engine, 'Excerpt from the case chart: "Pt insists her pain is 10/10 though resting comfortably."')
    assert [f for f in found if f.category.value == "stigmatizing-language"]


@pytest.mark.parametrize("category, quoted, used", QUOTATIONS, ids=[q[2][:30] for q in QUOTATIONS])
def test_a_term_inside_a_quotation_is_a_mention(rules_engine, category, quoted, used):
    inside = [f for f in rules_engine.analyze_text(quoted) if f.category.value == category]
    assert inside and all(not f.is_flag for f in inside)
    assert any(t.source == "context:quoted" for f in inside for t in f.trace)
    assert [f for f in flags(rules_engine, used) if f.category.value == category]


@pytest.mark.parametrize("text, span", [("Psych intake: manipulative, splitting staff, threatening to leave AMA.", "manipulative"),
                                        ("Smartphones help blacks, Hispanics bridge some gaps.", "blacks"),
                                        ("The patient is a chronic alcoholic.", "chronic alcoholic")])
def test_a_flagged_span_is_the_words_not_the_punctuation_its_pattern_holds(engine, text, span):
    assert span in [f.text for f in flags(engine, text)]

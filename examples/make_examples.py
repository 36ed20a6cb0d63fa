"""Generate the example course materials in this folder: syllabus.docx and slides.pptx.

The text was written for this project. It is ordinary medical-school teaching material
with a few passages a reviewer should see flagged (race correction, race in a vignette
with no reason, race presented as biology, a stereotype, an outdated term, stigmatizing
language) mixed with race-conscious passages that must not be flagged (the 2021 removal
of the eGFR race coefficient, APOL1 and ancestry, structural racism as the cause of a
disparity, race-neutral spirometry equations, pulse-oximeter bias).

Run:  python examples/make_examples.py   (needs python-docx and python-pptx)
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from pptx import Presentation
from pptx.util import Inches
from pptx.util import Pt as PPt

HERE = Path(__file__).resolve().parent
FIXED_DATE = _dt.datetime(2025, 8, 1, 9, 0, 0)


# --------------------------------------------------------------------------- syllabus.docx

SYLLABUS_INTRO = [
    "This four-week block covers the physiology and pathophysiology of the kidney and "
    "the lung, with an emphasis on the measurements clinicians use every day: the "
    "estimated glomerular filtration rate, urine studies, arterial blood gases and "
    "spirometry. Each week combines two lectures, one small-group case session and one "
    "laboratory session.",
    "Students are expected to read the assigned chapters before each lecture. Small-group "
    "cases are discussed in teams of six; every student presents at least one case during "
    "the block.",
]

OBJECTIVES = [
    "Describe how the glomerulus, tubule and collecting duct regulate sodium, water and acid-base balance.",
    "Calculate and interpret creatinine clearance and the estimated glomerular filtration rate.",
    "Stage chronic kidney disease from eGFR and albuminuria and list the complications of each stage.",
    "Interpret spirometry and lung volumes, including the lower limit of normal.",
    "Explain how measurement choices can create or hide differences in care between groups of patients.",
]

SCHEDULE = [
    ("Week 1", "Glomerular filtration, renal blood flow and clearance"),
    ("Week 2", "Tubular transport, diuretics and electrolyte disorders"),
    ("Week 3", "Acute kidney injury and chronic kidney disease"),
    ("Week 4", "Pulmonary mechanics, gas exchange and pulmonary function testing"),
]

LAB_TEXT = [
    "In the renal laboratory session, students measure creatinine in paired serum and "
    "timed urine samples and compare the measured clearance with the estimated GFR.",
    "In 2021 the NKF-ASN task force recommended the CKD-EPI 2021 equation, which removed "
    "the race coefficient. Reports from our laboratory use this equation, and cystatin C "
    "is added when the creatinine-based estimate is in doubt, for example in patients with "
    "very low or very high muscle mass.",
    "The reference ranges below are the ones printed in the previous edition of the "
    "laboratory manual; they are kept here for the session on how reference intervals "
    "are built.",
]

LAB_TABLE = [
    ("Analyte", "Units", "Reference range (Caucasian adults)", "Comment"),
    ("Serum creatinine", "mg/dL", "0.7-1.3", "Depends on muscle mass"),
    ("Blood urea nitrogen", "mg/dL", "7-20", "Rises with dehydration and GI bleeding"),
    ("Serum potassium", "mmol/L", "3.5-5.0", "Haemolysis falsely raises the result"),
    ("Urine albumin-to-creatinine ratio", "mg/g", "< 30", "Confirm on two of three samples"),
]

CASE_1 = [
    "A 52-year-old African American man presents with fatigue and ankle swelling. He has "
    "had hypertension for ten years and takes amlodipine. Blood pressure is 164/98 mmHg, "
    "and there is pitting oedema to the mid-shin.",
    "Serum creatinine is 2.1 mg/dL, up from 1.6 mg/dL a year ago, and the urine "
    "albumin-to-creatinine ratio is 640 mg/g. Discuss the differential diagnosis, the "
    "stage of chronic kidney disease and the first changes you would make to his "
    "treatment.",
]

CASE_2 = [
    "A 29-year-old woman with type 1 diabetes comes to the emergency department with "
    "vomiting, abdominal pain and rapid breathing. Her glucose is 486 mg/dL, bicarbonate "
    "9 mmol/L and the anion gap 26.",
    "The triage note reads: The patient is a known drug-seeker and was noncompliant with "
    "follow-up. She reports that she ran out of insulin four days ago after a change in "
    "her insurance coverage.",
    "Teaching point from the previous case author: Hispanic patients are often "
    "noncompliant with insulin. Work through the management of diabetic ketoacidosis, "
    "including fluids, insulin infusion and potassium replacement.",
]

ASSESSMENT = [
    "Assessment consists of a written examination at the end of the block (70%), small-group "
    "participation (15%) and the laboratory report (15%). The laboratory report is due one "
    "week after the session.",
    "Structural racism, not biology, drives the disparity in kidney failure rates. The last "
    "small-group session asks each team to trace one such disparity to access to care, "
    "referral timing or the measurements used to decide eligibility for transplant listing.",
]


def _para(doc, text: str, *, bold: bool = False, size: int | None = None, style: str | None = None):
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return p


def make_syllabus(path: Path) -> None:
    doc = Document()
    props = doc.core_properties
    props.title = "MED 612 Renal and Pulmonary Physiology: syllabus"
    props.author = "bias-review project (example material)"
    props.created = props.modified = FIXED_DATE

    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = "MED 612 \u00b7 Renal and Pulmonary Physiology \u00b7 Course syllabus"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = "Example course material for bias-review. Not for clinical use."
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("MED 612: Renal and Pulmonary Physiology", level=0)
    _para(doc, "Block 4, second year. Course director: Dr. A. Rivera. Office hours: Tuesdays 13:00-15:00.")
    for text in SYLLABUS_INTRO:
        _para(doc, text)

    doc.add_heading("Learning objectives", level=1)
    _para(doc, "By the end of the block, students will be able to:")
    for text in OBJECTIVES:
        _para(doc, text, style="List Bullet")

    doc.add_heading("Schedule", level=1)
    schedule = doc.add_table(rows=len(SCHEDULE) + 1, cols=2)
    schedule.style = "Light List"
    schedule.cell(0, 0).text = "Week"
    schedule.cell(0, 1).text = "Topic"
    for r, (week, topic) in enumerate(SCHEDULE, start=1):
        schedule.cell(r, 0).text = week
        schedule.cell(r, 1).text = topic

    doc.add_heading("Renal laboratory session", level=1)
    for text in LAB_TEXT:
        _para(doc, text)
    table = doc.add_table(rows=len(LAB_TABLE), cols=4)
    table.style = "Table Grid"
    for r, row in enumerate(LAB_TABLE):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.text = text
            if r == 0:
                cell.paragraphs[0].runs[0].bold = True

    doc.add_heading("Small-group cases", level=1)
    doc.add_heading("Case 1: Swelling and fatigue", level=2)
    for text in CASE_1:
        _para(doc, text)
    doc.add_heading("Case 2: Vomiting and rapid breathing", level=2)
    for text in CASE_2:
        _para(doc, text)

    doc.add_heading("Assessment", level=1)
    for text in ASSESSMENT:
        _para(doc, text)

    doc.save(str(path))


# --------------------------------------------------------------------------- slides.pptx

SLIDES = [
    {
        "title": "Kidney function and CKD",
        "subtitle": "MED 612, week 3: estimating GFR, staging CKD, and what changed in 2021",
        "notes": [
            "Open with the question: how many of you have calculated an eGFR by hand? "
            "We will do one together before the break.",
        ],
    },
    {
        "title": "Estimating glomerular filtration",
        "bullets": [
            "Inulin clearance is the reference standard but is rarely measured",
            "Serum creatinine depends on muscle mass, diet and tubular secretion",
            "The MDRD equation uses creatinine, age and sex",
            "For African American patients, multiply the eGFR by 1.159.",
            "Cystatin C is less affected by muscle mass than creatinine",
        ],
        "notes": [
            "This slide is from the 2015 version of the lecture; the next slide explains "
            "why the equation changed.",
            "Ask the group which patients have unusually low muscle mass: amputees, "
            "frail older adults, people with cirrhosis.",
        ],
    },
    {
        "title": "What changed in 2021",
        "bullets": [
            "In 2021 the NKF-ASN task force recommended the CKD-EPI 2021 equation, which "
            "removed the race coefficient.",
            "APOL1 risk variants, more common in people with recent West African ancestry, "
            "raise the risk of kidney disease.",
            "Race is a social category; ancestry and specific variants are what genetics can measure",
            "Removing the coefficient moved many patients to an earlier CKD stage and earlier referral",
        ],
        "notes": [
            "Emphasise the difference between a genetic variant, which can be tested for, "
            "and a race category, which cannot.",
        ],
    },
    {
        "title": "Staging chronic kidney disease",
        "table": [
            ("Stage", "eGFR (mL/min/1.73 m\u00b2)", "Description"),
            ("G1", "\u2265 90", "Normal or high"),
            ("G2", "60-89", "Mildly decreased"),
            ("G3a", "45-59", "Mildly to moderately decreased"),
            ("G3b", "30-44", "Moderately to severely decreased"),
            ("G4", "15-29", "Severely decreased"),
            ("G5", "< 15", "Kidney failure"),
        ],
        "callout": [
            "Stage by eGFR and by albuminuria (A1-A3)",
            "Refer to nephrology at G4 or with rapidly falling eGFR",
        ],
        "notes": [
            "Albuminuria predicts progression independently of eGFR; always report both.",
        ],
    },
    {
        "title": "Pulmonary function testing",
        "bullets": [
            "Spirometry measures FEV1, FVC and the FEV1/FVC ratio",
            "Obstruction: FEV1/FVC below the lower limit of normal",
            "Restriction is confirmed by total lung capacity, not by spirometry alone",
            "The ATS 2023 statement recommends race-neutral GLI Global equations for spirometry.",
        ],
        "notes": [
            "Demonstrate a flow-volume loop with the class spirometer.",
            "Point out that a fixed FEV1/FVC cut-off of 0.70 overdiagnoses obstruction in older adults.",
        ],
    },
    {
        "title": "Pulse oximetry and the physical examination",
        "bullets": [
            "Pulse oximeters can overestimate oxygen saturation in people with darker skin pigmentation",
            "Confirm borderline readings with an arterial blood gas",
            "Look for cyanosis in the lips, tongue and nail beds",
        ],
        "notes": [
            "Black patients have thicker skin and feel less pain.",
            "Have students practise the examination on each other in pairs.",
        ],
    },
    {
        "title": "Summary",
        "bullets": [
            "Report eGFR with the CKD-EPI 2021 equation and add cystatin C when in doubt",
            "Stage CKD by both eGFR and albuminuria",
            "Interpret spirometry against the lower limit of normal",
            "Question any rule that changes care by a patient's race",
        ],
        "notes": ["Remind students that the small-group cases for week 3 are posted."],
    },
]


def make_slides(path: Path) -> None:
    prs = Presentation()
    props = prs.core_properties
    props.title = "Kidney function and CKD; pulmonary function testing"
    props.author = "bias-review project (example material)"
    props.created = props.modified = FIXED_DATE

    for spec in SLIDES:
        if "subtitle" in spec:
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = spec["title"]
            slide.placeholders[1].text = spec["subtitle"]
        elif "table" in spec:
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            slide.shapes.title.text = spec["title"]
            rows = spec["table"]
            shape = slide.shapes.add_table(
                len(rows), len(rows[0]), Inches(0.5), Inches(1.6), Inches(5.6), Inches(3.6)
            )
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
                    for para in shape.table.cell(r, c).text_frame.paragraphs:
                        for run in para.runs:
                            run.font.size = PPt(14)
            # a grouped call-out box: a heading and two notes
            group = slide.shapes.add_group_shape()
            head = group.shapes.add_textbox(Inches(6.3), Inches(1.6), Inches(3.2), Inches(0.5))
            head.text_frame.text = "Key points"
            body = group.shapes.add_textbox(Inches(6.3), Inches(2.1), Inches(3.2), Inches(2.0))
            body.text_frame.word_wrap = True
            body.text_frame.text = spec["callout"][0]
            for line in spec["callout"][1:]:
                body.text_frame.add_paragraph().text = line
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
            slide.shapes.title.text = spec["title"]
            frame = slide.placeholders[1].text_frame
            frame.text = spec["bullets"][0]
            for bullet in spec["bullets"][1:]:
                frame.add_paragraph().text = bullet
        notes = slide.notes_slide.notes_text_frame
        notes.text = spec["notes"][0]
        for line in spec["notes"][1:]:
            notes.add_paragraph().text = line

    prs.save(str(path))


def main() -> None:
    make_syllabus(HERE / "syllabus.docx")
    make_slides(HERE / "slides.pptx")
    print(f"wrote {HERE / 'syllabus.docx'} and {HERE / 'slides.pptx'}")


if __name__ == "__main__":
    main()

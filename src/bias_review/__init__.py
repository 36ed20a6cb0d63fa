"""bias-review: find race-based medicine in course materials."""

from bias_review import spacy_import as _spacy_import

__version__ = "0.1.0"

_spacy_import.install()  # start-up: spaCy without its command-line package (see there)

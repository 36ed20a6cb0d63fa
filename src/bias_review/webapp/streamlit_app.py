"""The file `streamlit run` starts (`bias-review serve` runs this one from the installed package)."""

from bias_review.webapp.app import main

main()

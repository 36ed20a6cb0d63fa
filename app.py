"""The review app: `streamlit run app.py` (or `bias-review serve`). See docs/app.md."""

from bias_review.webapp.app import main

main()

"""The review app (Streamlit): upload and scan course materials, review flags, run the
lexicons and models. Pages only lay out widgets; view models (`views`), upload handling
(`uploads`), downloads (`downloads`) and access rules (`auth`) are plain modules. See docs/app.md."""

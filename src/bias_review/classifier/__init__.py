"""The sentence classifier: training data, the scikit-learn model, and its safe storage."""

"""Detectors: independent modules that turn sentences into candidate findings."""

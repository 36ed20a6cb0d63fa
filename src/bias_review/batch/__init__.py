"""Batch scans of lecture archives: thousands of files in worker processes (or on a Dask
cluster), resumable and incremental against the review store, courses and years from paths,
and the archive report. See docs/batch.md."""

from bias_review.batch.courses import CourseConfigError, CourseOf, CourseRule, CourseRules
from bias_review.batch.inputs import InputFile, open_archive
from bias_review.batch.pool import BatchError, LocalPool
from bias_review.batch.runner import BatchOptions, BatchSummary, default_workers, run_batch
from bias_review.batch.work import EngineSpec, Task

__all__ = [
    "BatchError", "BatchOptions", "BatchSummary", "CourseConfigError", "CourseOf", "CourseRule", "CourseRules",
    "EngineSpec", "InputFile", "LocalPool", "Task", "default_workers", "open_archive", "run_batch",
]

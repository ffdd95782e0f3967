"""Evaluation: gold files, metrics and runs (retrieval now; answers and summaries later)."""

"""Stage 2: Chroma (dense) and BM25 (sparse) indexes kept in step with one document registry."""

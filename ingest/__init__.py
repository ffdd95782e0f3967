"""Stage 1: files -> normalized Documents with metadata -> Chunks with offsets."""

"""Stage 3: answers and summaries, every value verified against its cited source."""

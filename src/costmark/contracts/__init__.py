"""Contract commitments (FOCUS 1.3+): what was committed, what has been consumed, what is left."""

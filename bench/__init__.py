"""costmark benchmarks: speed targets measured against baselines in the same run (make bench)."""

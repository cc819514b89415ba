"""A realistic, deterministic demo organisation as FOCUS 1.2 data plus business metrics."""

from costmark.demo.generator import DemoManifest, generate

__all__ = ["DemoManifest", "generate"]

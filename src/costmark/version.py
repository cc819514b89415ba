"""costmark's version, in the core layer so any module can name it without importing the
package's facade (``costmark/__init__.py`` imports ``costmark.api``)."""

__version__ = "0.1.0"

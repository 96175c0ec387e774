"""The package version, importable without Sphinx (the CLI reads it)."""

__version__ = "0.1.0"

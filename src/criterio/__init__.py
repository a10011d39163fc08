"""Criterio: customer-experience operations the Human + Tech way."""

__all__ = ["__version__"]

__version__ = "0.1.0"

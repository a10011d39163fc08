"""Stored analysis results: one row per interaction, with the analyzer versions behind it."""

__all__: list[str] = []

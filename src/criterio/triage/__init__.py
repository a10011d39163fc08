"""Triage: automate what has shown it is right often enough, route the rest with reasons."""

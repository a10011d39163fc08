"""Demo data: a realistic bilingual month of a contact centre, with known injected events."""

from __future__ import annotations

from criterio.demo.generator import DEFAULT_SEED, DEFAULT_SIZE, DemoGenerator, InjectedEvent

__all__ = ["DEFAULT_SEED", "DEFAULT_SIZE", "DemoGenerator", "InjectedEvent"]

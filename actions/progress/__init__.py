"""Progress over time: the health check and trust-signs self-check compared across runs."""

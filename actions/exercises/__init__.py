"""Guided exercises: content files, their schema, and the engine that walks through them."""

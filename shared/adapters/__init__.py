"""Adapters: the real (and in-memory) implementations of the service ports."""

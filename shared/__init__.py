"""Chatdesk's shared library: domain, services, adapters and HTTP edge used by every function."""

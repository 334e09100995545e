"""Thin route modules; the work happens in the core and its services."""

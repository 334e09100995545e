"""Cross-cutting pieces: configuration and the exception tree."""

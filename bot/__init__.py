"""The support line: a channel-agnostic conversation core with its channels and command line."""

"""Channels at the edge: each turns its own messages into `Incoming` and the core's `Turn` back into its own."""

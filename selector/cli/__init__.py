"""The `selector` command."""

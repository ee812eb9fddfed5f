"""The HTTP API and the bundled UI."""

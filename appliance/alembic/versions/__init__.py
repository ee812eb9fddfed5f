"""One revision per change to the app database's tables, oldest first."""

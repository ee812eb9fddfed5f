"""Alembic's scripts for the app database (see schema.py); run from their files."""

"""Backups of a single-PC installation: archives, restore, the schedule, their history.

`archive.py` writes and checks one archive file, `restore.py` puts one back into an
empty data folder, `service.py` is what the API, the tasks and the commands do with
them, `models.py` the table of backups made.
"""

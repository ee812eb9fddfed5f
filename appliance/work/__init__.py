"""The office's work as people ask about it: what is being done, what went wrong, what is done."""

"""The file reader: a child process that parses documents, watched from the worker.

`sandbox.py` is the worker's side (start, time and memory limits, replacement),
`child.py` the child's (`appliance extractor`), `isolation.py` what the child may see.
The parsing itself is `appliance.extract`, pure functions with no appliance imports.
"""

"""Documents: upload, text extraction in a sandboxed child process, and search."""

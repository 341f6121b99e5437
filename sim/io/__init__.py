"""One run: building and running a model (``runner``), and its results folder written and read back
(``folder``); the atomic folder writer (``atomic``), the one writer of every command's result folder
(``result_folder``: which places it may write or replace), the provenance (``provenance``) that
run and sweep folders share, and how a process imports what it keeps (``startup``)."""

"""One run: building and running a model (``runner``), and its results folder written and read back
(``folder``); the atomic folder writer (``atomic``) and the provenance (``provenance``) that run and
sweep folders share."""

"""One run: building and running a model, and its results folder written and read back."""

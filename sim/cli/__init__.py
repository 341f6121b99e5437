"""The ``giftsim`` command line."""

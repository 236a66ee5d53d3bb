"""The ``dronecine`` command."""

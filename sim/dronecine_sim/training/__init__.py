"""Training camera policies in the simulator, and exporting them to dronecine's policy file."""

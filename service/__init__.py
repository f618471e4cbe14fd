"""fairheat's shell and composition root."""

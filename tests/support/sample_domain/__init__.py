"""A made-up capability, plugged in the way a real one is, to prove that one entry suffices."""

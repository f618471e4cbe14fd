"""`fairheat demo`: placeholder replaced below."""

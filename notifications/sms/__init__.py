"""SMS text for outage notices: character encoding, segment counting and splitting."""

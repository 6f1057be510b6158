"""Personal data: erasure, the personal-data export, retention and the research export."""

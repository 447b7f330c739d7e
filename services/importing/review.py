"""How sure the importer is of a row: the level of each note for the reviewer."""

HIGH, MEDIUM, LOW = "cao", "trung bình", "thấp"
CONFIDENCE = (HIGH, MEDIUM, LOW)  # by level: 0 = a note only, 1 = to check, 2 = missing
NOTE, CHECK, MISSING = 0, 1, 2

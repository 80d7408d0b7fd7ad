"""Maps of communes: boundaries a province uploads, checked, matched to its communes, simplified.

    geojson.py      read_features(bytes) -> [Feature] or BoundaryFileError (one Vietnamese sentence)
    simplify.py     Douglas–Peucker on numpy, once at upload (two levels: province, country)
    boundaries.py   prepare (match by code or folded name), write (a file a province), read
    demo.py         fictional boundaries for the demo provinces ("minh họa"), never real ones

Loading a file, with its permission and audit line, is queries/admin_loads.py; drawing it is
ui/maps.py.
"""

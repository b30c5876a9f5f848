"""Chéquier import: a CSV or Excel file of chéquiers issued and distributed, checked row by row with the
very rules of the chéquier form (``money.chequiers``), written in bulk, in the request or as a background job."""

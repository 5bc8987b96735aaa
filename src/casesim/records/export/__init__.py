"""Exports of the record, each read through the :class:`~casesim.records.api.RecordStore` protocol only.

* :mod:`.csv` — tables for spreadsheets (per attempt, criterion or competency);
* :mod:`.jsonl` — an archive, one attempt per line with every event and the debrief;
* :mod:`.xapi` — xAPI 1.0.3 statements for a learning record store, under pseudonyms;
* :mod:`.pdf` — a practicum summary for one trainee to read and sign.

The submodules are imported where they are used (the PDF one needs fpdf2).
"""

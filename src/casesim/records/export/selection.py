"""Which attempts an export covers, with their trainees (shared by the CSV and JSON Lines exports)."""

from __future__ import annotations

from casesim.records.api import AttemptRow, RecordStore, TraineeRow

__all__ = ["selected_attempts"]


def selected_attempts(store: RecordStore, trainee_id: str | None,
                      cohort: str | None) -> tuple[list[AttemptRow], dict[str, TraineeRow]]:
    """The attempts of one trainee or cohort (or all), and the trainees they belong to by id."""
    attempts = list(store.attempts(trainee_id=trainee_id, cohort=cohort))
    trainees = {t.id: t for t in store.trainees(cohort)} if trainee_id is None else {}
    if trainee_id is not None:
        row = store.trainee(trainee_id)
        if row is not None:
            trainees[row.id] = row
    return attempts, trainees

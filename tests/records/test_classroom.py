"""Class rosters and one-time sign-in codes: the pure rules and the store's rows."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from casesim.errors import NotFoundError
from casesim.records.api import RecordStore
from casesim.records.classroom import (
    CODE_ALPHABET,
    RosterError,
    code_digest,
    new_code,
    normalise_code,
    read_roster_csv,
)


def test_codes_are_four_groups_of_four_from_an_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", code)
        assert not set(code.replace("-", "")) & set("01OILUV")
    assert 16 * math.log2(len(CODE_ALPHABET)) > 77  # bits of a code


def test_a_code_is_read_whatever_the_case_spaces_and_dashes() -> None:
    code = new_code()
    assert normalise_code(code.lower().replace("-", " ")) == code
    assert normalise_code(" " + code.replace("-", "") + "\t") == code
    assert normalise_code(code[:-1]) is None            # too short
    assert normalise_code(code[:-1] + "O") is None       # O is never in a code
    assert code_digest(code) != code and len(code_digest(code)) == 64


def test_a_roster_csv_is_checked_with_its_line_numbers() -> None:
    entries = read_roster_csv("\ufeffID,Name,email\ns1001, Ana  Ruiz ,a@x\n\ns1002,Ben Okafor,\n")
    assert [(e.trainee_id, e.name, e.line) for e in entries] == [("s1001", "Ana Ruiz", 2), ("s1002", "Ben Okafor", 4)]
    with pytest.raises(RosterError, match=r"line 3: the id 's1' is already on line 2"):
        read_roster_csv("id,name\ns1,A\ns1,B\n", source="r.csv")
    with pytest.raises(RosterError, match=r"r.csv line 3: the name .* control character"):
        read_roster_csv("id,name\ns1,A\ns2,B\x1b[31m\n", source="r.csv")
    with pytest.raises(RosterError, match=r"line 2: the id '' cannot be recorded: it is empty"):
        read_roster_csv("id,name\n,Nameless\n")
    with pytest.raises(RosterError, match="must have the columns id and name"):
        read_roster_csv("student,fullname\ns1,A\n")
    with pytest.raises(RosterError, match="no students"):
        read_roster_csv("id,name\n")


def test_the_store_keeps_digests_consumes_codes_once_and_moves_epochs(store: RecordStore,
                                                                      records_db: str | Path) -> None:
    assert store.create_roster("MSW Fall 2026", created_by="prof") is True
    assert store.create_roster("MSW Fall 2026", created_by="prof") is False
    with pytest.raises(NotFoundError, match="no class roster 'Nope'"):
        store.add_roster_member("Nope", "s1", "A", "student", code_digest(new_code()))
    code = new_code()
    store.add_roster_member("MSW Fall 2026", "s1001", "Ana Ruiz", "student", code_digest(code))
    store.add_roster_member("MSW Fall 2026", "prof.lee", "Dr Lee", "instructor", code_digest(new_code()))
    trainee = store.trainee("s1001")
    assert trainee is not None and (trainee.display_name, trainee.cohort) == ("Ana Ruiz", "MSW Fall 2026")
    assert store.trainee("prof.lee") is None  # an instructor is not a trainee
    member = store.redeem_code(code_digest(code))
    assert member is not None and (member.trainee_id, member.role, member.session_epoch) == ("s1001", "student", 0)
    assert member.code_used_at is not None
    assert store.redeem_code(code_digest(code)) is None  # one time
    store.end_sessions("MSW Fall 2026", "s1001")
    fresh = new_code()
    store.reissue_code("MSW Fall 2026", "s1001", code_digest(fresh))
    (ana,) = [m for m in store.roster_members("MSW Fall 2026") if m.trainee_id == "s1001"]
    assert ana.session_epoch == 2 and ana.code_used_at is None
    assert store.redeem_code(code_digest(fresh)) is not None
    with pytest.raises(NotFoundError, match="not on the class roster"):
        store.reissue_code("MSW Fall 2026", "s9999", code_digest(new_code()))
    assert [m.cohort for m in store.memberships("prof.lee")] == ["MSW Fall 2026"]
    assert store.rosters() == ["MSW Fall 2026"]
    assert not store.verify()
    raw = _everything(records_db)
    assert code.encode() not in raw and fresh.encode() not in raw  # only digests are kept
    assert code_digest(fresh).encode() in raw


def _everything(records_db: str | Path) -> bytes:
    """What the store holds on disk: the SQLite file's bytes, or every row of the PostgreSQL
    schemas as text."""
    if isinstance(records_db, Path):  # the file and its write-ahead log (the store is open)
        wal = records_db.with_name(records_db.name + "-wal")
        return records_db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    import psycopg

    with psycopg.connect(records_db, autocommit=True) as pg:
        tables = pg.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN "
                            "('casesim', 'casesim_private')").fetchall()
        return "\n".join(str(row[0]) for schema, table in tables
                         for row in pg.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()).encode()

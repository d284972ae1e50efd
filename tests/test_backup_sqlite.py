"""SQLite's online backup is consistent while another connection holds a write open."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text


def test_backup_of_sqlite_while_another_connection_writes(runner, app, tmp_path):
    writer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with writer.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (n INTEGER)"))
    with writer.connect() as connection:
        connection.execute(text("INSERT INTO scratch VALUES (1)"))  # begun, not committed
        result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
        connection.commit()
    writer.dispose()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT count(*) FROM scratch").fetchone() == (0,)
    copy.close()

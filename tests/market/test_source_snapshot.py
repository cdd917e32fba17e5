"""The bundled snapshot source: its layers and overlap checks on the real files, and every kind of
malformed file ending in a SourceError that names the file, the line (or row) and the field."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from assets.market.recency import sessions_between
from assets.market.sources.base import SourceError
from assets.market.sources.snapshot import PRICE_TOLERANCE, VOLUME_TOLERANCE, SnapshotSource
from assets.settings import PROJECT_ROOT

SNAPSHOT = PROJECT_ROOT / "data" / "snapshot"
EVER = (date(2000, 1, 1), date(2030, 1, 1))
# Last day per symbol, as prices/update/README.md states the ranges of its files.
LAST_DAYS = {"NVDA": date(2026, 10, 6), "AMZN": date(2026, 10, 6), "AVGO": date(2026, 10, 6), "MSFT": date(2026, 10, 6),
             "ORCL": date(2026, 10, 6), "META": date(2026, 10, 6), "QQQ": date(2026, 10, 6), "AMD": date(2026, 10, 8),
             "INTC": date(2026, 10, 8), "CRWV": date(2026, 10, 8), "SPY": date(2026, 9, 28), "9984.T": date(2026, 10, 9)}  # fmt: skip


@pytest.fixture(scope="module")
def bundled() -> SnapshotSource:
    return SnapshotSource(SNAPSHOT)


@pytest.fixture
def copy(tmp_path) -> Path:
    """A private copy of the bundled snapshot (without the SEC files), to damage."""
    folder = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, folder, ignore=shutil.ignore_patterns("sec", "*.py"))
    return folder


def test_every_symbol_reaches_the_update_s_last_day_with_every_session(bundled):
    for ticker, last in LAST_DAYS.items():
        batch = bundled.fetch(ticker, *EVER)
        days = batch.prices["trade_date"]
        assert batch.covered_until == days.max() == last, ticker
        assert days.is_unique().all() and days.is_sorted(), ticker
        # From the update's first day on, no session of the listing's exchange is missing.
        expected = sessions_between("XTKS" if ticker == "9984.T" else "XNYS", date(2026, 5, 1), last)
        assert set(expected) <= set(days.to_list()), ticker


def test_softbank_gap_is_filled_with_whole_yen_and_every_tokyo_session(bundled):
    gap = bundled.fetch("9984.T", date(2026, 2, 7), date(2026, 4, 30)).prices
    assert gap["trade_date"].to_list() == sessions_between("XTKS", date(2026, 2, 7), date(2026, 4, 30))
    assert gap.select(pl.all_horizontal((pl.col(c) % 1 == 0).all() for c in ("open", "high", "low", "close"))).item()
    # The un-adjustment: on the day before the derived ex-date the adjusted file's close was
    # raw - dividend (3940.5 = 3946 - 5.5); after it the file is unadjusted already.
    assert gap.filter(pl.col("trade_date") == date(2026, 3, 27))["close"].item() == 3946.0


def test_dividends_of_the_window_with_derived_ones_labelled(bundled):
    actions = pl.concat(bundled.fetch(t, date(2026, 5, 1), date(2026, 10, 9)).actions for t in LAST_DAYS)
    dividends = {(r["ticker"], r["ex_date"].isoformat()): (r["value"], r["source"]) for r in actions.iter_rows(named=True)}
    assert dividends[("NVDA", "2026-06-04")] == (0.25, "snapshot")
    assert dividends[("MSFT", "2026-05-21")] == (0.91, "snapshot")  # in the older record too: kept once
    assert dividends[("SPY", "2026-06-18")] == (1.904, "snapshot (derived)")
    assert dividends[("9984.T", "2026-09-29")] == (5.5, "snapshot (derived)")
    assert len(dividends) == 14
    assert not any(t in {"AMZN", "AMD", "INTC", "CRWV"} for t, _ in dividends)  # paid none in the window
    spring = bundled.fetch("9984.T", date(2026, 2, 7), date(2026, 4, 30)).actions
    assert spring.select("ex_date", "value", "source").rows() == [(date(2026, 3, 30), 5.5, "snapshot (derived)")]


def test_overlapping_files_agree_and_the_older_value_is_kept(bundled):
    base = pl.read_parquet(SNAPSHOT / "prices.parquet").filter(pl.col("ticker") == "NVDA", pl.col("trade_date") >= date(2026, 5, 1))
    served = bundled.fetch("NVDA", date(2026, 5, 1), date(2026, 5, 29)).prices
    assert served.select("trade_date", "close", "volume").rows() == base.select("trade_date", "close", "volume").rows()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode()
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode())


def _error(folder: Path, ticker: str) -> str:
    with pytest.raises(SourceError) as caught:
        SnapshotSource(folder).fetch(ticker, *EVER)
    assert caught.value.source == "snapshot" and caught.value.ticker == ticker
    return str(caught.value)


def test_a_file_that_disagrees_with_an_overlapping_one_names_both_the_day_the_field_and_both_values(copy):
    _edit(copy / "update" / "NVDA.csv", "2026-05-29,", "2026-05-29,9")  # open 9211.6... instead of 211.6...
    message = _error(copy, "NVDA")
    assert "update/NVDA.csv disagrees with prices.parquet on 1 value(s)" in message
    assert "2026-05-29 open:" in message and "in prices.parquet" in message and "in update/NVDA.csv" in message


@pytest.mark.parametrize("factor, fails", [(1 + VOLUME_TOLERANCE * 0.9, False), (1 + VOLUME_TOLERANCE * 1.1, True)])
def test_volume_tolerance_is_relative(copy, factor, fails):
    line = next(line for line in (copy / "update" / "AMD.csv").read_text().splitlines() if line.startswith("2026-05-28,"))
    volume = int(line.split(",")[5])
    base = pl.read_parquet(copy / "prices.parquet").filter(pl.col("ticker") == "AMD", pl.col("trade_date") == date(2026, 5, 28))
    _edit(copy / "update" / "AMD.csv", f",{volume}\r", f",{round(base['volume'].item() * factor)}\r")
    if fails:
        assert "2026-05-28 volume:" in _error(copy, "AMD")
    else:
        SnapshotSource(copy).fetch("AMD", *EVER)


def test_price_tolerance_is_absolute(copy):
    close = pl.read_parquet(copy / "prices.parquet").filter(pl.col("ticker") == "AMD", pl.col("trade_date") == date(2026, 5, 28))["close"].item()
    line = next(line for line in (copy / "update" / "AMD.csv").read_text().splitlines() if line.startswith("2026-05-28,"))
    fields = line.split(",")
    within = ",".join([*fields[:4], f"{close + PRICE_TOLERANCE * 0.8:.4f}", fields[5]])
    _edit(copy / "update" / "AMD.csv", line, within)
    assert SnapshotSource(copy).fetch("AMD", date(2026, 5, 28), date(2026, 5, 28)).prices["close"].item() == close
    _edit(copy / "update" / "AMD.csv", within, ",".join([*fields[:4], f"{close + PRICE_TOLERANCE * 1.2:.4f}", fields[5]]))
    assert "2026-05-28 close:" in _error(copy, "AMD")


def _replace_line(path: Path, starts: str, line: str) -> None:
    lines = path.read_bytes().decode().split("\r\n")
    index = next(i for i, text in enumerate(lines) if text.startswith(starts))
    path.write_bytes("\r\n".join([*lines[:index], line, *lines[index + 1 :]]).encode())


# case -> (the line of update/AMD.csv replaced, its new text, what the message says)
MALFORMED = {
    "bad header": ("Date,", "Date,Open,High,Low,Adj Close,Volume", "line 1: header 'Date,Open,High,Low,Adj Close,Volume'"),
    "NaN": ("2026-06-01,", "2026-06-01,nan,1,1,1,100", "line 22: Open: 'nan' is not a positive decimal number"),
    "infinity": ("2026-06-02,", "2026-06-02,1,inf,1,1,100", "line 23: High: 'inf' is not a positive decimal number"),
    "overflow": ("2026-06-02,", "2026-06-02,1,1,1," + "9" * 400 + ",100", "line 23: Close: '999"),
    "negative": ("2026-06-02,", "2026-06-02,-1,1,1,1,100", "line 23: Open: '-1' is not a positive decimal number"),
    "zero": ("2026-06-02,", "2026-06-02,1,1,0,1,100", "line 23: Low: '0' is not a positive decimal number"),
    "exponent": ("2026-06-02,", "2026-06-02,1e2,1,1,1,100", "line 23: Open: '1e2' is not a positive decimal number"),
    "non-numeric": ("2026-06-03,", "2026-06-03,1,1,abc,1,100", "line 24: Low: 'abc' is not a positive decimal number"),
    "empty field": ("2026-06-03,", "2026-06-03,1,1,1,,100", "line 24: Close: '' is not a positive decimal number"),
    "fractional volume": ("2026-06-04,", "2026-06-04,1,1,1,1,12.5", "line 25: Volume: '12.5' is not a whole number of shares"),
    "missing field": ("2026-06-05,", "2026-06-05,1,1,1,1", "line 26: 5 fields, expected 6"),
    "extra field": ("2026-06-05,", "2026-06-05,1,1,1,1,100,7", "line 26: 7 fields, expected 6"),
    "bad date": ("2026-06-08,", "2026-13-08,1,1,1,1,100", "line 27: Date: '2026-13-08' is not a date (YYYY-MM-DD)"),
    "two-digit year": ("2026-06-08,", "26-06-08,1,1,1,1,100", "line 27: Date: '26-06-08' is not a date (YYYY-MM-DD)"),
    "duplicate date": ("2026-06-09,", "2026-06-08,1,1,1,1,100", "line 28: Date: 2026-06-08 repeats line 27's 2026-06-08"),
    "unsorted dates": ("2026-06-09,", "2026-06-01,1,1,1,1,100", "line 28: Date: 2026-06-01 comes before line 27's 2026-06-08"),
    "bare CR": ("2026-06-10,", "2026-06-10,1\r1,1,1,100", "line 29: a bare CR"),
    "LF among CRLF": ("2026-06-10,", "2026-06-10,1,1,1,1,100\n2026-06-10b", "line 29: a bare CR or a line ending other than line 1's"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_update_file_is_a_source_error_naming_file_line_and_field(copy, case):
    starts, line, says = MALFORMED[case]
    _replace_line(copy / "update" / "AMD.csv", starts, line)
    message = _error(copy, "AMD")
    assert message.startswith("snapshot: AMD: update/AMD.csv: ") and says in message


def test_cut_off_or_cr_only_files_are_errors_not_fewer_rows(copy):
    path = copy / "update" / "INTC.csv"
    body = path.read_bytes()
    path.write_bytes(body[:-5])  # cut inside the last line's volume
    assert "the last line has no line ending" in _error(copy, "INTC")
    path.write_bytes(body.replace(b"\r\n", b"\r"))
    assert "no line ending" in _error(copy, "INTC")
    path.write_bytes(b"Date,Open,High,Low,Close,Volume\r\n")
    assert "no data lines" in _error(copy, "INTC")
    path.write_bytes(b"\xff\xfe" + body)
    assert "not UTF-8" in _error(copy, "INTC")


def test_every_single_byte_cut_of_an_update_file_ends_in_rows_or_a_clean_error(copy):
    # A deterministic sweep in place of a property-based test (hypothesis is not installed):
    # every truncation of a real file either keeps whole lines only or is a SourceError.
    path = copy / "update" / "CRWV.csv"
    body = path.read_bytes()
    for cut in range(0, len(body), 37):
        path.write_bytes(body[:cut])
        try:
            got = SnapshotSource(copy).fetch("CRWV", *EVER).prices
        except SourceError as exc:
            assert str(exc).startswith("snapshot: CRWV: update/CRWV.csv: ")
            continue
        assert body[:cut].endswith(b"\n")  # only a cut at a line end is a (shorter) valid file
        assert got.select(pl.all_horizontal(pl.col(c).is_finite().all() for c in ("open", "high", "low", "close"))).item()


def _rewrite_parquet(folder: Path, change) -> None:
    path = folder / "prices.parquet"
    change(pl.read_parquet(path)).write_parquet(path)


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda df: df.with_columns(pl.when(pl.col("trade_date") == date(2025, 10, 6)).then(math.nan).otherwise("close").alias("close")),
         "(2025-10-06): close: nan is not a valid value"),
        (lambda df: df.with_columns(pl.when(pl.col("trade_date") == date(2025, 10, 6)).then(math.inf).otherwise("high").alias("high")),
         "(2025-10-06): high: inf is not a valid value"),
        (lambda df: df.with_columns(pl.when(pl.col("trade_date") == date(2025, 10, 6)).then(None).otherwise("volume").alias("volume")),
         "(2025-10-06): volume: None is not a valid value"),
        (lambda df: pl.concat([df, df.filter(pl.col("ticker") == "AMD").tail(1)]), "trade_date 2026-05-29 repeated"),
        (lambda df: df.with_columns(pl.col("close").cast(pl.String)), "column close: String, expected Float64"),
        (lambda df: df.drop("volume"), "column volume: missing"),
    ],
    ids=["NaN", "infinity", "null volume", "duplicate date", "wrong type", "missing column"],
)  # fmt: skip
def test_a_damaged_base_file_is_a_source_error_naming_row_and_field(copy, change, says):
    _rewrite_parquet(copy, change)
    message = _error(copy, "AMD")
    assert message.startswith("snapshot: AMD: prices.parquet: ") and says in message


def test_an_unreadable_base_file_is_a_source_error(copy):
    (copy / "prices.parquet").write_bytes(b"PAR1 not really")
    assert "prices.parquet: unreadable" in _error(copy, "AMD")


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("NVDA,2026-06-04,dividend,0.25,", "NVDA,2026-06-04,dividend,inf,", "value: 'inf' is not a positive decimal number"),
        ("NVDA,2026-06-04,dividend,0.25,recorded", "NVDA,2026-06-04,dividend,0.25,guessed", "basis: 'guessed'"),
        ("NVDA,2026-06-04,dividend", "NVDA,2026-06-04,bonus", "action: 'bonus', expected split or dividend"),
        ("NVDA,2026-06-04,", "NVDA,2026-09-10,", "NVDA dividend on 2026-09-10 repeats line"),
    ],
    ids=["infinite dividend", "unknown basis", "unknown action", "duplicate action"],
)
def test_a_malformed_corporate_actions_file_is_a_source_error(copy, old, new, says):
    _edit(copy / "corporate_actions.csv", old, new)
    message = _error(copy, "AMD")  # the file is checked whole, whichever ticker asks
    assert message.startswith("snapshot: AMD: corporate_actions.csv: line ") and says in message


def test_a_symbol_whose_name_starts_like_another_reads_only_its_own_files(copy):
    shutil.copyfile(copy / "update" / "AMD.csv", copy / "update" / "AMDX.csv")
    _edit(copy / "update" / "AMDX.csv", "2026-06-01,", "2026-06-01,nan,")
    assert SnapshotSource(copy).fetch("AMD", *EVER).covered_until == LAST_DAYS["AMD"]  # AMDX.csv is not AMD's

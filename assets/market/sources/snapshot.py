"""The bundled snapshot of real daily prices (data/snapshot): the offline default source.

A ticker's bars come in layers, read in this order: `prices.parquet` (the base), then the CSV
files `update/<ticker>.csv` and `update/<ticker>_<label>.csv` (by name). A later layer adds the
days the earlier ones lack; where it overlaps them it must agree — open, high, low and close
within PRICE_TOLERANCE (absolute, in the listed currency), volume within VOLUME_TOLERANCE
(relative) — else the ticker fails with a SourceError naming both files, the date, the field and
both values, and nothing of the batch is written. The earlier layer's values are kept.

Every file is checked as it is read: a malformed one (unreadable, a wrong header or columns, a
missing or extra field, a value that is not a number or a date, NaN or infinity, a fractional
volume, a bare CR or mixed line endings, a file cut off inside its last line, a repeated or
unsorted date) is a SourceError naming the file, the ticker, the line (or parquet row) and the field.
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import cached_property
from pathlib import Path

import polars as pl

from .base import ACTION_SCHEMA, PRICE_SCHEMA, PriceBatch, SourceError

PRICE_TOLERANCE = 0.005  # absolute: copies rounded to 2 decimals differ from float32 ones by < 0.005
VOLUME_TOLERANCE = 0.005  # relative: copies recorded on different days differ by late trade reports
BAR_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")
ACTION_HEADER = ("ticker", "ex_date", "action", "value", "basis", "reference")
BASE_SCHEMA = {c: t for c, t in PRICE_SCHEMA.items() if c not in ("adj_close", "source")}  # prices.parquet
# corporate_actions.csv `basis` -> raw.corporate_actions.source: a derived dividend says so there.
ACTION_SOURCES = {"recorded": "snapshot", "derived": "snapshot (derived)"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PRICE = re.compile(r"\d+(\.\d+)?")  # no sign, exponent, NaN or inf
_VOLUME = re.compile(r"\d+(\.0+)?")  # whole shares (one copy writes 72065400.0)


class SnapshotSource:
    """Serves the bundled files as if they were a live source.

    The snapshot is split-adjusted, not dividend-adjusted, so `adj_close` is null here;
    `core.prices` computes the dividend adjustment from the corporate actions.
    """

    name = "snapshot"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._bars: dict[str, pl.DataFrame] = {}

    def fetch(self, ticker: str, start: date, end: date) -> PriceBatch:
        try:
            rows = self.bars(ticker)
            actions = self._actions.filter(pl.col("ticker") == ticker, pl.col("ex_date").is_between(start, end))
        except BadFile as exc:
            raise SourceError(self.name, ticker, str(exc)) from None
        if rows.is_empty():
            raise SourceError(self.name, ticker, "not in the bundled snapshot (see data/snapshot/README.md)")
        prices = rows.filter(pl.col("trade_date").is_between(start, end)).select(
            *(pl.col(c) for c in ("ticker", "trade_date", "open", "high", "low", "close")),
            pl.lit(None, pl.Float64).alias("adj_close"),
            "volume",
            "currency",
            pl.lit(self.name).alias("source"),
        )
        return PriceBatch(prices=prices.cast(PRICE_SCHEMA), actions=actions, covered_until=rows["trade_date"].max())

    def bars(self, ticker: str) -> pl.DataFrame:
        """Every bar of `ticker` (BASE_SCHEMA), layer by layer, each overlap checked; read once.
        Raises BadFile for a malformed or disagreeing file."""
        if ticker not in self._bars:
            self._bars[ticker] = self._layered(ticker)
        return self._bars[ticker]

    def _layered(self, ticker: str) -> pl.DataFrame:
        rows = _base_rows(self._base, ticker)
        if rows.is_empty():
            return rows
        layers = [("prices.parquet", rows)]
        files = sorted(p for p in (self.folder / "update").glob("*.csv") if p.stem == ticker or p.stem.startswith(f"{ticker}_"))
        for path in files:
            where = f"update/{path.name}"
            layer = read_bars(path, where, ticker, rows["currency"][0])
            for earlier_name, earlier in layers:
                check_agreement(earlier_name, earlier, where, layer)
            layers.append((where, layer))
            rows = pl.concat([rows, layer.join(rows, on="trade_date", how="anti")])
        return rows.sort("trade_date")

    @cached_property
    def _base(self) -> pl.DataFrame:
        try:
            base = pl.read_parquet(self.folder / "prices.parquet")
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, named
            raise BadFile(f"prices.parquet: unreadable: {type(exc).__name__}: {exc}") from None
        for column, dtype in BASE_SCHEMA.items():
            if base.schema.get(column) != dtype:
                raise BadFile(f"prices.parquet: column {column}: {base.schema.get(column, 'missing')}, expected {dtype}")
        return base.select(list(BASE_SCHEMA)).with_row_index("row")

    @cached_property
    def _actions(self) -> pl.DataFrame:
        return read_actions(self.folder / "corporate_actions.csv", "corporate_actions.csv")


class BadFile(ValueError):
    """A snapshot file is malformed or disagrees with another; the message names file, line and field."""


def _base_rows(base: pl.DataFrame, ticker: str) -> pl.DataFrame:
    """The base rows of `ticker`, every value present and valid, each day once."""
    rows = base.filter(pl.col("ticker") == ticker)
    for column, dtype in BASE_SCHEMA.items():
        invalid = pl.col(column).is_null()
        if dtype == pl.Float64:
            invalid = invalid | ~pl.col(column).is_finite() | (pl.col(column) <= 0)
        elif dtype == pl.Int64:
            invalid = invalid | (pl.col(column) < 0)
        bad = rows.filter(invalid)
        if not bad.is_empty():
            first = bad.row(0, named=True)
            raise BadFile(f"prices.parquet: row {first['row']} ({first['trade_date']}): {column}: {first[column]!r} is not a valid value")
    repeated = rows.filter(pl.col("trade_date").is_duplicated())
    if not repeated.is_empty():
        raise BadFile(f"prices.parquet: rows {repeated['row'].to_list()}: trade_date {repeated['trade_date'][0]} repeated")
    return rows.drop("row")


def read_bars(path: Path, where: str, ticker: str, currency: str) -> pl.DataFrame:
    """A `Date,Open,High,Low,Close,Volume` file (BAR_HEADER) as BASE_SCHEMA rows, dates ascending."""
    records, previous = [], None
    for line, fields in read_csv(path, where, BAR_HEADER):
        day = _date(where, line, "Date", fields[0])
        if previous is not None and day <= previous[1]:
            relation = "repeats" if day == previous[1] else "comes before"
            raise BadFile(f"{where}: line {line}: Date: {day} {relation} line {previous[0]}'s {previous[1]}")
        prices = [_number(where, line, name, text, _PRICE) for name, text in zip(BAR_HEADER[1:5], fields[1:5])]
        volume = int(_number(where, line, "Volume", fields[5], _VOLUME))
        records.append((ticker, day, *prices, volume, currency))
        previous = (line, day)
    return pl.DataFrame(records, schema=BASE_SCHEMA, orient="row")


def read_actions(path: Path, where: str) -> pl.DataFrame:
    """corporate_actions.csv (ACTION_HEADER) as ACTION_SCHEMA rows, `basis` mapped by ACTION_SOURCES."""
    records, seen = [], {}
    for line, (ticker, ex_date, action, value, basis, _reference) in read_csv(path, where, ACTION_HEADER):
        day = _date(where, line, "ex_date", ex_date)
        if action not in ("split", "dividend"):
            raise BadFile(f"{where}: line {line}: action: {action!r}, expected split or dividend")
        if basis not in ACTION_SOURCES:
            raise BadFile(f"{where}: line {line}: basis: {basis!r}, expected one of {', '.join(ACTION_SOURCES)}")
        amount = _number(where, line, "value", value, _PRICE)
        if (ticker, day, action) in seen:
            raise BadFile(f"{where}: line {line}: {ticker} {action} on {day} repeats line {seen[ticker, day, action]}")
        seen[ticker, day, action] = line
        records.append((ticker, day, action, amount, ACTION_SOURCES[basis]))
    return pl.DataFrame(records, schema=ACTION_SCHEMA, orient="row")


def read_csv(path: Path, where: str, header: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """(line number, fields) of every data line after `header`; LF or CRLF, one kind per file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise BadFile(f"{where}: unreadable: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BadFile(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if not text.endswith("\n"):
        raise BadFile(f"{where}: the last line has no line ending: the file is cut off (or its lines end in CR only)")
    lines = text[:-1].split("\n")
    ending = "\r\n" if lines[0].endswith("\r") else "\n"
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.endswith("\r") != (ending == "\r\n") or "\r" in line.removesuffix("\r"):
            raise BadFile(f"{where}: line {number}: a bare CR or a line ending other than line 1's ({ending!r})")
        fields = line.removesuffix("\r").split(",")
        if number == 1:
            if tuple(fields) != header:
                raise BadFile(f"{where}: line 1: header {','.join(fields)!r}, expected {','.join(header)!r}")
        elif len(fields) != len(header):
            raise BadFile(f"{where}: line {number}: {len(fields)} fields, expected {len(header)} ({','.join(header)})")
        else:
            rows.append((number, fields))
    if not rows:
        raise BadFile(f"{where}: no data lines")
    return rows


def _date(where: str, line: int, field: str, text: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise BadFile(f"{where}: line {line}: {field}: {text!r} is not a date (YYYY-MM-DD)")


def _number(where: str, line: int, field: str, text: str, form: re.Pattern) -> float:
    value = float(text) if form.fullmatch(text) else math.nan
    if not math.isfinite(value) or (form is _PRICE and value <= 0):
        kind = "a positive decimal number" if form is _PRICE else "a whole number of shares"
        raise BadFile(f"{where}: line {line}: {field}: {text!r} is not {kind}")
    return value


def check_agreement(older_name: str, older: pl.DataFrame, newer_name: str, newer: pl.DataFrame) -> None:
    """Raise BadFile when `newer` differs from `older` on a shared day beyond the tolerances."""
    joined = older.join(newer, on="trade_date", suffix="_new")
    checks = [(c, (pl.col(c) - pl.col(f"{c}_new")).abs() > PRICE_TOLERANCE) for c in ("open", "high", "low", "close")]
    checks.append(("volume", (pl.col("volume") - pl.col("volume_new")).abs() > VOLUME_TOLERANCE * pl.col("volume")))
    problems = sorted(
        f"{day} {column}: {old!r} in {older_name}, {new!r} in {newer_name}"
        for column, differs in checks
        for day, old, new in joined.filter(differs).select("trade_date", column, f"{column}_new").iter_rows()
    )
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BadFile(
            f"{newer_name} disagrees with {older_name} on {len(problems)} value(s) (tolerance {PRICE_TOLERANCE} "
            f"absolute for prices, {VOLUME_TOLERANCE:.1%} relative for volume): {shown}"
        )

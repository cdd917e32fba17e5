"""core.prices is built incrementally (sql/core/prices.sql): after any change of the raw tables it
must hold exactly, bit for bit, what a build from scratch gives.

The property test applies random edits to raw.share_prices and raw.corporate_actions and, after
each, compares the incremental result with two references: the same SQL run on an empty
core.prices (in a transaction rolled back afterwards), and ORACLE below, the former whole-table
query kept here only as the reference.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import dagster as dg
import duckdb
import numpy as np
import polars as pl
import pytest

import assets.market.core_prices as core_prices_module
from assets.market.core_prices import CORE_PRICES_COLUMNS, build_core_prices, build_stamp, core_prices
from assets.warehouse import STORAGE_COMPATIBILITY, WarehouseResource, apply_ddl, query, run, transaction

# The whole-table build core.prices had before it became incremental, with two changes: the
# `dividend` column, and sums in a fixed order (by ex-date; the later dividend days latest first)
# instead of a window sum, whose rounding depends on the other tickers computed with a ticker.
ORACLE = """
WITH bars AS (
    SELECT
        ticker, trade_date, open, high, low, close, volume, currency, source,
        lag(trade_date) OVER w AS prev_trade_date,
        lag(close) OVER w AS prev_close
    FROM raw.share_prices
    WINDOW w AS (PARTITION BY ticker ORDER BY trade_date)
),
dividends AS (
    SELECT ticker, ex_date, value AS dividend FROM raw.corporate_actions WHERE action = 'dividend'
),
dividend_days AS (
    SELECT b.ticker, b.trade_date, list_sum(list(d.dividend ORDER BY d.ex_date)) AS dividend,
           list_sum(list(ln(1 - d.dividend / b.prev_close) ORDER BY d.ex_date)) AS log_factor
    FROM dividends d
    ASOF JOIN bars b ON b.ticker = d.ticker AND b.trade_date >= d.ex_date
    WHERE b.prev_close IS NOT NULL
    GROUP BY ALL
),
factored AS (
    SELECT b.*, dd.dividend, close * exp(coalesce((
        SELECT list_sum(list(later.log_factor ORDER BY later.trade_date DESC))
        FROM dividend_days later WHERE later.ticker = b.ticker AND later.trade_date > b.trade_date), 0)) AS adj_close
    FROM bars b LEFT JOIN dividend_days dd USING (ticker, trade_date)
)
SELECT ticker, trade_date, prev_trade_date, open, high, low, close, adj_close, dividend, volume, currency, source,
       adj_close / lag(adj_close) OVER w - 1 AS simple_return,
       ln(adj_close / lag(adj_close) OVER w) AS log_return
FROM factored
WINDOW w AS (PARTITION BY ticker ORDER BY trade_date)
ORDER BY ticker, trade_date
"""
COLUMNS = [c.name for c in CORE_PRICES_COLUMNS.columns]
FETCHED = datetime(2026, 1, 2, tzinfo=timezone.utc)
START = date(2024, 1, 1)


# -- building and comparing ---------------------------------------------------------------------


def connect() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(":memory:", config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
    apply_ddl(conn)
    return conn


def build(conn: duckdb.DuckDBPyConnection) -> dict:
    """The asset's build in one transaction; returns what it did (sql/core/prices_build.sql)."""
    with transaction(conn):
        build_core_prices(conn)
    return query(conn, "core/prices_build.sql").row(0, named=True)


def stored(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return conn.sql(f"SELECT {', '.join(COLUMNS)} FROM core.prices ORDER BY ticker, trade_date").pl()


def from_scratch(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The same SQL on an empty core.prices, rolled back afterwards."""
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("DROP TABLE core.prices")
        run(conn, "core/prices.sql")
        return stored(conn)
    finally:
        conn.execute("ROLLBACK")


def assert_bit_identical(actual: pl.DataFrame, expected: pl.DataFrame, what: str) -> None:
    assert actual.columns == expected.columns, what
    assert actual.select("ticker", "trade_date").equals(expected.select("ticker", "trade_date")), f"{what}: other rows"
    for name in actual.columns:
        a, e = actual[name], expected[name]
        assert a.dtype == e.dtype, f"{what}: {name} type"
        assert a.is_null().equals(e.is_null()), f"{what}: {name} nulls differ"
        if a.dtype == pl.Float64:  # compare the bits: == would take -0.0 for 0.0 and miss NaN
            bits_a, bits_e = (s.fill_null(0.0).to_numpy().view(np.int64) for s in (a, e))
            bad = np.flatnonzero(bits_a != bits_e)
            first = int(bad[0]) if bad.size else 0
            assert bad.size == 0, f"{what}: {name} differs in {bad.size} rows, first {actual.row(first)} vs {expected.row(first)}"
        else:
            assert a.equals(e), f"{what}: {name} differs"


def assert_exact(conn: duckdb.DuckDBPyConnection, what: str) -> None:
    actual = stored(conn)
    assert_bit_identical(actual, from_scratch(conn), f"{what} (vs the same SQL from scratch)")
    assert_bit_identical(actual, conn.sql(ORACLE).pl(), f"{what} (vs the whole-table query)")


# -- random raw data ----------------------------------------------------------------------------


class Market:
    """Random raw.share_prices and raw.corporate_actions in `conn`, and random edits of them."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, rng: random.Random) -> None:
        self.conn, self.rng = conn, rng
        self.next_ticker = 0
        for _ in range(5):
            self.add_ticker()

    def sql(self, statement: str, params: list | None = None) -> list[tuple]:
        return self.conn.execute(statement, params or []).fetchall()

    def tickers(self) -> list[str]:
        return [t for (t,) in self.sql("SELECT DISTINCT ticker FROM raw.share_prices ORDER BY 1")]

    def days(self, ticker: str) -> list[date]:
        return [d for (d,) in self.sql("SELECT trade_date FROM raw.share_prices WHERE ticker = ? ORDER BY 1", [ticker])]

    def bar(self, ticker: str, day: date, close: float) -> dict:
        rng = self.rng
        return {"ticker": ticker, "trade_date": day, "open": close * rng.uniform(0.98, 1.02),
                "high": close * rng.uniform(1.0, 1.04), "low": close * rng.uniform(0.96, 1.0), "close": close,
                "adj_close": None, "volume": rng.randrange(10**4, 10**7), "currency": "USD", "source": "snapshot",
                "fetched_at": FETCHED}

    def insert_bars(self, bars: list[dict]) -> None:
        frame = pl.DataFrame(bars, schema_overrides={"adj_close": pl.Float64})
        self.conn.register("bars", frame)
        self.conn.execute("INSERT INTO raw.share_prices BY NAME SELECT * FROM bars")
        self.conn.unregister("bars")

    def add_dividend(self, ticker: str, ex_date: date, value: float) -> None:
        self.sql("INSERT OR REPLACE INTO raw.corporate_actions VALUES (?, ?, 'dividend', ?, 'snapshot')", [ticker, ex_date, value])

    def weekdays(self, first: date, count: int) -> list[date]:
        days, day = [], first
        while len(days) < count:
            if day.weekday() < 5 and self.rng.random() > 0.03:  # a few holidays
                days.append(day)
            day += timedelta(days=1)
        return days

    # The edits. Each returns a description for the failure message.

    def add_ticker(self) -> str:
        ticker = f"T{self.next_ticker:02d}"
        self.next_ticker += 1
        close, bars = self.rng.uniform(5, 500), []
        for day in self.weekdays(START + timedelta(days=self.rng.randrange(0, 30)), self.rng.randrange(20, 60)):
            close *= float(np.exp(self.rng.gauss(0, 0.02)))
            bars.append(self.bar(ticker, day, close))
        self.insert_bars(bars)
        for day in self.rng.sample([b["trade_date"] for b in bars], k=self.rng.randrange(0, 3)):
            self.add_dividend(ticker, day, round(self.rng.uniform(0.001, 0.02) * close, 4))
        return f"add ticker {ticker}"

    def append_days(self) -> str:
        count = self.rng.randrange(1, 4)
        tickers = self.rng.sample(self.tickers(), k=self.rng.randrange(1, len(self.tickers()) + 1))
        bars = []
        for ticker in tickers:
            (last, close), = self.sql("SELECT max(trade_date), arg_max(close, trade_date) FROM raw.share_prices "
                                      "WHERE ticker = ?", [ticker])
            for day in self.weekdays(last + timedelta(days=1), count):
                close *= float(np.exp(self.rng.gauss(0, 0.02)))
                bars.append(self.bar(ticker, day, close))
        self.insert_bars(bars)
        return f"append {count} day(s) to {tickers}"

    def prepend_days(self) -> str:
        ticker = self.rng.choice(self.tickers())
        first = self.days(ticker)[0]
        bars = [self.bar(ticker, first - timedelta(days=k), self.rng.uniform(5, 500)) for k in (7, 14)]
        self.insert_bars(bars)
        return f"history of {ticker} extended before {first}"

    def change(self, column: str, value: object, ticker: str | None = None, day: date | None = None,
               later_too: bool = False) -> str:
        """Set `column` on one day (or from that day on) of a ticker, random unless given."""
        ticker = ticker or self.rng.choice(self.tickers())
        day = day or self.rng.choice(self.days(ticker))
        self.sql(f"UPDATE raw.share_prices SET {column} = ? WHERE ticker = ? AND trade_date {'>=' if later_too else '='} ?",
                 [value, ticker, day])
        return f"{column} of {ticker} {'from' if later_too else 'on'} {day} set to {value}"

    def change_close(self) -> str:
        return self.change("close", self.rng.uniform(5, 500))

    def change_open(self) -> str:
        return self.change("open", self.rng.choice([None, self.rng.uniform(5, 500)]))

    def change_high(self) -> str:
        return self.change("high", self.rng.choice([None, self.rng.uniform(5, 500)]))

    def change_low(self) -> str:
        return self.change("low", self.rng.choice([None, self.rng.uniform(5, 500)]))

    def change_volume(self) -> str:
        return self.change("volume", self.rng.choice([None, 0, self.rng.randrange(10**7)]))

    def change_currency(self) -> str:
        return self.change("currency", self.rng.choice(["EUR", "GBP"]), later_too=self.rng.random() < 0.5)

    def change_source(self) -> str:
        return self.change("source", self.rng.choice(["yahoo", "nasdaq", "stooq"]), later_too=self.rng.random() < 0.5)

    def day_before_a_dividend(self) -> tuple[str, date] | None:
        """A (ticker, trading day) whose close enters a dividend's factor, if any."""
        days = self.sql("SELECT p.ticker, max(p.trade_date) FROM raw.corporate_actions d JOIN raw.share_prices p "
                        "ON p.ticker = d.ticker AND p.trade_date < d.ex_date GROUP BY p.ticker, d.ex_date ORDER BY ALL")
        return self.rng.choice(days) if days else None

    def change_close_before_dividend(self) -> str:
        """Changes a dividend's factor, but neither the dividend nor its day."""
        found = self.day_before_a_dividend()
        return self.change("close", self.rng.uniform(5, 500), *found) if found else self.add_dividend_trading_day()

    def add_day_before_dividend(self) -> str:
        """A day loaded late, between a dividend's day and the day before it (when there is room)."""
        found = self.day_before_a_dividend()
        if not found or found[1] + timedelta(days=1) in self.days(found[0]):
            return self.add_dividend_non_trading_day()
        self.insert_bars([self.bar(found[0], found[1] + timedelta(days=1), self.rng.uniform(5, 500))])
        return f"{found[0]} gets {found[1] + timedelta(days=1)}"

    def delete_day(self) -> str:
        ticker = self.rng.choice(self.tickers())
        day = self.rng.choice(self.days(ticker))
        self.sql("DELETE FROM raw.share_prices WHERE ticker = ? AND trade_date = ?", [ticker, day])
        return f"{ticker} loses {day}"

    def drop_ticker(self) -> str:
        if len(self.tickers()) <= 2:
            return self.add_ticker()
        ticker = self.rng.choice(self.tickers())
        self.sql("DELETE FROM raw.share_prices WHERE ticker = ?", [ticker])
        return f"drop ticker {ticker} (its dividends stay in raw.corporate_actions)"

    def dividend_on(self, ticker: str, day: date) -> str:
        (close,), = self.sql("SELECT avg(close) FROM raw.share_prices WHERE ticker = ?", [ticker])
        self.add_dividend(ticker, day, round(self.rng.uniform(0.001, 0.02) * close, 4))
        return f"dividend for {ticker} ex {day} ({day:%a})"

    def add_dividend_trading_day(self) -> str:
        ticker = self.rng.choice(self.tickers())
        return self.dividend_on(ticker, self.rng.choice(self.days(ticker)))

    def add_dividend_non_trading_day(self) -> str:
        """Ex-date on a weekend or holiday: the dividend applies on the next trading day."""
        ticker = self.rng.choice(self.tickers())
        days = set(self.days(ticker))
        gaps = [d - timedelta(days=1) for d in sorted(days)[1:] if d - timedelta(days=1) not in days]
        return self.dividend_on(ticker, self.rng.choice(gaps)) if gaps else self.add_dividend_trading_day()

    def add_dividend_after_last_day(self) -> str:
        """Not applied until a later day is loaded."""
        ticker = self.rng.choice(self.tickers())
        return self.dividend_on(ticker, self.days(ticker)[-1] + timedelta(days=self.rng.choice([1, 3])))

    def edit_dividend(self, statement: str, what: str) -> str:
        """Run `statement` on one random dividend (ticker, ex_date), or add one if there is none."""
        dividends = self.sql("SELECT ticker, ex_date FROM raw.corporate_actions ORDER BY ALL")
        if not dividends:
            return self.add_dividend_trading_day()
        ticker, ex_date = self.rng.choice(dividends)
        self.sql(f"{statement} WHERE ticker = ? AND ex_date = ?", [ticker, ex_date])
        return f"dividend of {ticker} ex {ex_date} {what}"

    def remove_dividend(self) -> str:
        return self.edit_dividend("DELETE FROM raw.corporate_actions", "removed")

    def change_dividend(self) -> str:
        return self.edit_dividend("UPDATE raw.corporate_actions SET value = value * 1.5", "changed")

    def nothing(self) -> str:
        return "no change"

    EDITS = ("append_days", "prepend_days", "change_close", "change_open", "change_high", "change_low", "change_volume",
             "change_currency", "change_source", "change_close_before_dividend", "add_day_before_dividend", "delete_day",
             "add_ticker", "drop_ticker", "add_dividend_trading_day", "add_dividend_non_trading_day",
             "add_dividend_after_last_day", "remove_dividend", "change_dividend", "nothing")

    def edits(self, extra: int) -> list[str]:
        """Every kind of edit once and `extra` random ones, in random order."""
        names = [*self.EDITS, *self.rng.choices(self.EDITS, k=extra)]
        self.rng.shuffle(names)
        return names


# -- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_incremental_build_equals_a_build_from_scratch_after_random_edits(seed):
    conn = connect()
    market = Market(conn, random.Random(seed))
    build(conn)
    assert_exact(conn, "first build")
    history = []
    for edit in market.edits(extra=10):
        history.append(getattr(market, edit)())
        build(conn)
        assert_exact(conn, " -> ".join(history))


def test_an_appended_day_writes_only_the_new_rows():
    conn = connect()
    market = Market(conn, random.Random(1))
    conn.execute("DELETE FROM raw.corporate_actions")
    assert build(conn)["tickers_rebuilt"] == 5
    before = stored(conn)

    market.append_days()
    appended = conn.execute("SELECT count(*) FROM raw.share_prices").fetchall()[0][0] - before.height
    done = build(conn)
    assert (done["tickers_rebuilt"], done["tickers_removed"], done["rows_written"]) == (0, 0, appended)
    assert done["tickers_updated"] >= 1
    # The rows that were there are as they were.
    kept = stored(conn).join(before.select("ticker", "trade_date"), on=["ticker", "trade_date"]).sort("ticker", "trade_date")
    assert_bit_identical(kept, before, "old rows")
    assert_exact(conn, "append")
    nothing = {"tickers_rebuilt": 0, "tickers_updated": 0, "tickers_removed": 0, "updated_from": None, "rows_written": 0}
    assert build(conn) == nothing


def test_a_changed_close_recomputes_from_that_day_and_a_dividend_the_whole_ticker():
    conn = connect()
    market = Market(conn, random.Random(2))
    conn.execute("DELETE FROM raw.corporate_actions")
    build(conn)
    days = market.days("T01")
    conn.execute("UPDATE raw.share_prices SET close = close + 1 WHERE ticker = 'T01' AND trade_date = ?", [days[10]])
    done = build(conn)
    assert (done["tickers_updated"], done["updated_from"], done["rows_written"]) == (1, days[10], len(days) - 10)

    market.add_dividend("T02", market.days("T02")[5], 0.01)
    done = build(conn)
    assert (done["tickers_rebuilt"], done["tickers_updated"], done["rows_written"]) == (1, 0, len(market.days("T02")))
    (dividend,), = conn.execute("SELECT dividend FROM core.prices WHERE ticker = 'T02' AND dividend IS NOT NULL").fetchall()
    assert dividend == 0.01
    assert_exact(conn, "dividend")


def test_two_dividends_on_one_trading_day_are_summed():
    conn = connect()

    def dividend_on(day: date) -> float:
        return conn.execute("SELECT dividend FROM core.prices WHERE ticker = 'T00' AND trade_date = ?", [day]).fetchall()[0][0]

    market = Market(conn, random.Random(3))
    conn.execute("DELETE FROM raw.corporate_actions")
    monday = next(d for d in market.days("T00")[1:] if d.weekday() == 0)
    market.add_dividend("T00", monday - timedelta(days=2), 0.25)  # Saturday: applies on Monday
    market.add_dividend("T00", monday, 0.5)
    build(conn)
    assert dividend_on(monday) == 0.75
    # core.prices keeps only the sum, so the ticker is recomputed on every build: a change to two
    # dividends with the same sum (but other factors) is not missed.
    market.sql("UPDATE raw.corporate_actions SET value = 0.35 WHERE ex_date < ?", [monday])
    market.sql("UPDATE raw.corporate_actions SET value = 0.4 WHERE ex_date = ?", [monday])
    assert build(conn)["tickers_rebuilt"] == 1
    assert dividend_on(monday) == 0.75
    assert_exact(conn, "same sum, other dividends")


def test_the_ddl_has_the_documented_columns():
    conn = connect()
    build(conn)
    actual = conn.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'core' "
                          "AND table_name = 'prices' ORDER BY column_index").fetchall()
    assert actual == [(c.name, c.type) for c in CORE_PRICES_COLUMNS.columns]


def test_a_table_from_the_former_sql_is_replaced_whole_in_the_same_transaction(monkeypatch):
    conn = connect()
    market = Market(conn, random.Random(4))
    former = ORACLE.replace("dividend, volume", "volume")
    conn.execute(f"CREATE TABLE core.prices AS {former}")  # the former CREATE OR REPLACE TABLE AS: no dividend
    with transaction(conn):
        assert build_core_prices(conn) is True
        assert query(conn, "core/prices_build.sql")["tickers_rebuilt"].item() == 5
    assert query(conn, "core/prices_stamp.sql")["stamp"].to_list() == [build_stamp()]
    assert_exact(conn, "after the upgrade")
    with transaction(conn):
        assert build_core_prices(conn) is False

    # A build that fails after dropping the table leaves it as it was.
    conn.execute("COMMENT ON TABLE core.prices IS 'built by an older version'")
    before = stored(conn)
    market.append_days()

    def failing_run(conn, name, params=None):
        run(conn, name, params)
        if name == "core/prices.sql":
            raise RuntimeError("killed mid-build")

    monkeypatch.setattr(core_prices_module, "run", failing_run)
    with pytest.raises(RuntimeError), transaction(conn):
        build_core_prices(conn)
    assert query(conn, "core/prices_stamp.sql")["stamp"].to_list() == ["built by an older version"]
    assert_bit_identical(stored(conn), before, "after a failed build")


def test_the_asset_reports_what_the_build_did(tmp_path):
    warehouse = WarehouseResource(database=str(tmp_path / "w.duckdb"))
    with warehouse.get_connection() as conn:
        market = Market(conn, random.Random(5))
        conn.execute("DELETE FROM raw.corporate_actions")
    first = dg.materialize([core_prices], resources={"warehouse": warehouse})
    with warehouse.get_connection() as conn:
        market.conn = conn
        market.append_days()
    second = dg.materialize([core_prices], resources={"warehouse": warehouse})

    def metadata(result: dg.ExecuteInProcessResult) -> dict:
        (event,) = result.get_asset_materialization_events()
        return {k: v.value for k, v in event.materialization.metadata.items()}

    one, two = metadata(first), metadata(second)
    assert one["build"] == "from scratch" and one["tickers_rebuilt"] == 5 and one["rows_written"] == one["dagster/row_count"]
    assert two["build"] == "incremental" and two["tickers_rebuilt"] + two["tickers_updated"] + two["tickers_unchanged"] == 5
    assert two["rows_written"] == two["dagster/row_count"] - one["dagster/row_count"]
    assert "latest_per_ticker" in two

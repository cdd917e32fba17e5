"""Rebuild the bundled price snapshot from the reference copies of real Yahoo/exchange data.

Usage: .venv/bin/python data/snapshot/make_snapshot.py /path/to/shared/reference/prices

Writes, next to this file:
- `prices.parquet` (the base, 2020-01 .. 2026-05-29; 9984.T to 2026-02-06): one row per ticker
  and trading day. Values are carried over unchanged except that prices are rounded to 4
  decimals: the reference files hold Yahoo's float32 artefacts (203.7100067138672 for 203.71).
- `update/<T>.csv`: the reference's `update/` files (2026-05-01 .. 2026-10-06..09), byte for byte.
- `update/9984.T_unadjusted.csv`: SoftBank 2026-01-05 .. 2026-07-10 from `9984.T_adjusted.csv`
  with its dividend adjustment undone (see `unadjust_softbank`); fills 2026-02-09 .. 04-30.
- `update/<T>_extension.csv`: days of the reference's `extension/` no other file has (none today).
- `corporate_actions.csv`: the reference dividend lists, the update's dividends of the window
  (UPDATE_DIVIDENDS), the SoftBank dividend derived here, and the splits named in the README.

Then it loads every ticker through SnapshotSource, which checks every overlap (the source does the
same on every run), and prints each overlap's largest differences.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))
from assets.market.sources.snapshot import SnapshotSource, check_agreement, read_bars  # noqa: E402

US_TICKERS = ["NVDA", "AMD", "ORCL", "MSFT", "AVGO", "AMZN", "INTC", "META", "CRWV", "SPY", "QQQ"]
TICKERS = [*US_TICKERS, "9984.T"]
# Splits already divided through in the reference prices (reference README, "Adjustment").
SPLITS = [("NVDA", "2024-06-10", 10.0), ("AVGO", "2024-07-15", 10.0), ("9984.T", "2026-01-01", 4.0)]
UPDATE_README = "prices/update/README.md"
# prices/update/README.md, "Dividends in the window": (ticker, ex-date, per share, derived?).
# The README's "≈" amounts were read from the adjusted/raw close ratio, not printed by the payer.
UPDATE_DIVIDENDS = [
    ("NVDA", "2026-06-04", 0.25, False), ("NVDA", "2026-09-10", 0.25, False),
    ("MSFT", "2026-05-21", 0.91, False), ("MSFT", "2026-08-20", 0.91, False),
    ("AVGO", "2026-06-22", 0.65, False), ("AVGO", "2026-09-21", 0.65, False),
    ("ORCL", "2026-07-10", 0.50, False),
    ("META", "2026-06-15", 0.525, True), ("META", "2026-09-21", 0.525, True),
    ("QQQ", "2026-06-22", 0.813, True), ("QQQ", "2026-09-21", 0.751, True),
    ("SPY", "2026-06-18", 1.904, True), ("SPY", "2026-09-18", 1.889, True),
    ("9984.T", "2026-09-29", 5.5, True),
]  # fmt: skip
SOFTBANK_FROM = "2026-01-05"  # first session after the 4:1 split: the base's prices are exact yen from here
SOFTBANK_TICK = 1.0  # every unadjusted 9984.T price from SOFTBANK_FROM on is a whole yen (checked)


def read_prices(path: Path, ticker: str, currency: str) -> pl.DataFrame:
    # `#VALUE!` marks a session that did not trade: the TSE's system failure halted all trading
    # on 2020-10-01. Such rows are dropped, not turned into prices.
    raw = pl.read_csv(path, columns=["Date", "Open", "High", "Low", "Close", "Volume"], null_values=["#VALUE!"])
    return raw.filter(pl.col("Close").is_not_null()).select(
        pl.lit(ticker).alias("ticker"),
        pl.col("Date").str.to_date().alias("trade_date"),
        *(pl.col(c).cast(pl.Float64).round(4).alias(c.lower()) for c in ("Open", "High", "Low", "Close")),
        pl.col("Volume").cast(pl.Int64).alias("volume"),
        pl.lit(currency).alias("currency"),
    )


def unadjust_softbank(adjusted: pl.DataFrame, unadjusted: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Undo the dividend adjustment of `9984.T_adjusted.csv` from SOFTBANK_FROM on.

    Yahoo's method multiplies the prices before an ex-date by f = 1 - D / (close the day before),
    so the adjusted close of that day is raw - D. In this stretch the file has one dividend: its
    prices turn whole yen on the ex-date (2026-03-30), after which they equal the unadjusted
    prices. D is derived from the ratio on the days the unadjusted base has (to 0.1 yen, ≈5.5);
    raw = adjusted / f, rounded to the tick. Checked: the result reproduces every overlapping
    unadjusted price (base before, update after), and before rounding lies within 0.05 yen of it.
    """
    rows = adjusted.filter(pl.col("trade_date") >= pl.lit(SOFTBANK_FROM).str.to_date())
    whole = pl.all_horizontal((pl.col(c) % SOFTBANK_TICK == 0) for c in ("open", "high", "low", "close"))
    ex_date = rows.filter(~whole)["trade_date"].max()
    ex_date = rows.filter(pl.col("trade_date") > ex_date)["trade_date"].min()
    before = rows.filter(pl.col("trade_date") < ex_date)
    ratio = before.join(unadjusted, on="trade_date").select((pl.col("close") / pl.col("close_right")).mean()).item()
    day_before = before.row(-1, named=True)
    dividend = round(day_before["close"] * (1 - ratio) / ratio, 1)
    factor = 1 - dividend / (day_before["close"] + dividend)
    exact = rows.with_columns(
        *(pl.when(pl.col("trade_date") < ex_date).then(pl.col(c) / factor).otherwise(pl.col(c)).alias(c) for c in ("open", "high", "low", "close"))
    )
    result = exact.with_columns(*(((pl.col(c) / SOFTBANK_TICK).round(0) * SOFTBANK_TICK).alias(c) for c in ("open", "high", "low", "close")))
    residual = exact.join(unadjusted, on="trade_date").select(
        pl.max_horizontal((pl.col(c) - pl.col(f"{c}_right")).abs().max() for c in ("open", "high", "low", "close"))
    ).item()
    if not residual < 0.05:
        raise ValueError(f"9984.T un-adjustment misses the unadjusted prices by up to {residual} yen")
    if not unadjusted.filter(pl.col("trade_date") >= pl.lit(SOFTBANK_FROM).str.to_date()).select(whole.all()).item():
        raise ValueError("unadjusted 9984.T prices are not all whole yen: rounding to the yen would alter them")
    return result, {"ex_date": ex_date, "dividend": dividend, "factor": factor, "ratio": ratio, "max_residual_yen": residual}


def write_bars(frame: pl.DataFrame, path: Path) -> None:
    frame.select(
        pl.col("trade_date").dt.to_string("%Y-%m-%d").alias("Date"),
        *(pl.col(c.lower()).alias(c) for c in ("Open", "High", "Low", "Close")),
        pl.col("volume").alias("Volume"),
    ).write_csv(path)


def dividends_frame(rows: list[tuple[str, str, float, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["ticker", "ex_date", "value", "basis", "reference"], orient="row").select(
        "ticker", pl.col("ex_date").str.to_date(), pl.lit("dividend").alias("action"), "value", "basis", "reference"
    )


def main(reference: Path) -> None:
    frames = [read_prices(reference / f"{t}.csv", t, "USD") for t in US_TICKERS]
    frames.append(read_prices(reference / "9984.T.csv", "9984.T", "JPY"))
    prices = pl.concat(frames).sort("ticker", "trade_date")
    prices.write_parquet(HERE / "prices.parquet", compression="zstd", compression_level=19)

    update = HERE / "update"
    shutil.rmtree(update, ignore_errors=True)
    update.mkdir()
    for ticker in TICKERS:
        shutil.copyfile(reference / "update" / f"{ticker}.csv", update / f"{ticker}.csv")

    softbank_raw = pl.concat([
        prices.filter(pl.col("ticker") == "9984.T"),
        read_bars(update / "9984.T.csv", "update/9984.T.csv", "9984.T", "JPY"),
    ]).unique("trade_date", keep="first")  # fmt: skip
    adjusted = read_bars(reference / "9984.T_adjusted.csv", "9984.T_adjusted.csv", "9984.T", "JPY")
    softbank, derivation = unadjust_softbank(adjusted, softbank_raw)
    write_bars(softbank, update / "9984.T_unadjusted.csv")
    print("9984.T un-adjustment:", derivation)

    source = SnapshotSource(HERE)
    for ticker in ("AMD", "AVGO", "CRWV", "MSFT", "NVDA"):  # the extension's symbols
        extension = read_bars(reference / "extension" / f"{ticker}.csv", f"extension/{ticker}.csv", ticker, "USD")
        check_agreement("the snapshot", source.bars(ticker), f"extension/{ticker}.csv", extension)
        new_days = extension.join(source.bars(ticker), on="trade_date", how="anti")
        if not new_days.is_empty():
            write_bars(new_days, update / f"{ticker}_extension.csv")
        print(f"extension/{ticker}.csv agrees with the snapshot; adds {new_days.height} day(s)")

    recorded = [
        (t, str(day), value, "recorded", f"reference {t}_dividends.csv")
        for t in US_TICKERS
        for day, value in pl.read_csv(reference / f"{t}_dividends.csv", schema={"Date": pl.String, "Dividend": pl.Float64}).iter_rows()
    ]
    known = {(t, day): value for t, day, value, _, _ in recorded}
    window = []
    for ticker, day, value, derived in UPDATE_DIVIDENDS:
        if (ticker, day) in known:
            if abs(known[ticker, day] - value) >= 0.005:
                raise ValueError(f"{ticker} {day}: dividend {known[ticker, day]} in the reference list, {value} in {UPDATE_README}")
            continue
        basis = "derived" if derived else "recorded"
        how = "derived from the adjusted/raw close ratio in " if derived else ""
        window.append((ticker, day, value, basis, f"{how}{UPDATE_README}"))  # no commas: the file is read strictly
    ex_date, dividend = derivation["ex_date"], derivation["dividend"]
    window.append(("9984.T", str(ex_date), dividend, "derived", "derived from 9984.T_adjusted.csv vs the unadjusted closes (make_snapshot.py)"))
    dividends = dividends_frame(recorded + window)
    splits = pl.DataFrame(SPLITS, schema=["ticker", "ex_date", "value"], orient="row").select(
        "ticker", pl.col("ex_date").str.to_date(), pl.lit("split").alias("action"), "value",
        pl.lit("recorded").alias("basis"), pl.lit("reference README (already divided through in the prices)").alias("reference"),
    )  # fmt: skip
    pl.concat([dividends, splits]).sort("ticker", "ex_date", "action").write_csv(HERE / "corporate_actions.csv")

    source = SnapshotSource(HERE)  # the checks every run makes, on the files just written
    total = sum(source.bars(t).height for t in TICKERS)
    for ticker in TICKERS:
        bars = source.bars(ticker)
        print(f"{ticker}: {bars.height} days {bars['trade_date'].min()} .. {bars['trade_date'].max()}")
    print(f"{total} price rows, {dividends.height} dividends ({len(window)} of the update window), {splits.height} splits")
    print_overlaps(prices, update)


def print_overlaps(prices: pl.DataFrame, update: Path) -> None:
    """The largest difference on the days an update file shares with the base or the update."""
    for path in sorted(update.glob("*.csv")):
        ticker = path.stem.split("_")[0]
        layer = read_bars(path, path.name, ticker, "")
        for name, other in [("prices.parquet", prices.filter(pl.col("ticker") == ticker))] + (
            [(f"{ticker}.csv", read_bars(update / f"{ticker}.csv", ticker, ticker, ""))] if path.stem != ticker else []
        ):
            joined = other.join(layer, on="trade_date")
            if joined.is_empty():
                continue
            price = joined.select(pl.max_horizontal((pl.col(c) - pl.col(f"{c}_right")).abs().max() for c in ("open", "high", "low", "close"))).item()
            volume = joined.select(((pl.col("volume") - pl.col("volume_right")).abs() / pl.col("volume")).max()).item()
            print(f"{path.name} vs {name}: {joined.height} days, max |price diff| {price:.6f}, max volume diff {volume:.4%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

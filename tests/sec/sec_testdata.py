"""Constants shared by the SEC tests (a uniquely named module: `conftest` is ambiguous across folders)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DIR = ROOT / "data" / "snapshot" / "sec"
FIXTURES_DIR = ROOT / "tests" / "fixtures" / "sec"
USER_AGENT = "Perpetuum Tests sec-contact@example.com"
CIK = {"AMD": "0000002488", "NVDA": "0001045810", "CRWV": "0001769628", "ORCL": "0001341439", "MSFT": "0000789019"}

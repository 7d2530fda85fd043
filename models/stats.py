"""Pre-aggregated statistics: monthly cells per region maintained by the importer.

Each table holds grouped rows of one kind of figure per (region, month); region '' stands for
rows without a region. Money is summed in whole kopecks (roubles only) into NUMERIC, so sums
stay exact and never overflow on SQLite and PostgreSQL alike. `stat_dirty` lists the cells an
import changed and that still have to be recomputed (written in the same transaction as the
data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class _Cell:
    """What every cell row has: its place (region, month) and its figures."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM (procedures: published_at in UTC)
    n: Mapped[int] = mapped_column(Integer)
    kopecks: Mapped[Decimal] = mapped_column(Numeric(24, 0))


class StatProcedures(_Cell, Base):
    """Procedures by law, method, platform and the SME-only restriction."""

    __tablename__ = "stat_procedures"

    law: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(256))
    platform: Mapped[str] = mapped_column(String(256))  # '' when the notice names none
    smp_only: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_stat_procedures_cell", "region", "month"),)


class StatOkpd2(_Cell, Base):
    """Procedures by OKPD2 class (first two digits of the main code)."""

    __tablename__ = "stat_okpd2"

    grp: Mapped[str] = mapped_column(String(8))

    __table_args__ = (Index("ix_stat_okpd2_cell", "region", "month"),)


class StatCustomers(_Cell, Base):
    """Procedures by customer (INN, or the name when the INN is missing)."""

    __tablename__ = "stat_customers"

    customer: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)  # the greatest name seen for the key

    __table_args__ = (Index("ix_stat_customers_cell", "region", "month"),)


class StatContracts(_Cell, Base):
    """Contracts (month of signed_on) by SME supplier, final status and, for open ones, the
    end of execution."""

    __tablename__ = "stat_contracts"

    smp: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(4))  # EC | ET | '' (not finished)
    open_end: Mapped[date | None] = mapped_column(Date, nullable=True)  # only when state ''

    __table_args__ = (Index("ix_stat_contracts_cell", "region", "month"),)


class StatDirty(Base):
    """A cell whose figures changed: kind 'p' (procedures) or 'c' (contracts)."""

    __tablename__ = "stat_dirty"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)

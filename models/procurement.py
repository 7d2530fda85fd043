"""Procurement data: procedures (notices), their lots, protocol statuses, contracts and
execution facts. Numbers are the EIS registry numbers; every look-up has an index."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

Money = Numeric(18, 2)


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(128), unique=True)
    law: Mapped[str] = mapped_column(String(8))
    doc_type: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(256))
    title: Mapped[str] = mapped_column(Text)
    customer_name: Mapped[str] = mapped_column(Text)
    customer_inn: Mapped[str | None] = mapped_column(String(12), nullable=True)
    customer_kpp: Mapped[str | None] = mapped_column(String(9), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    platform_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    platform_url: Mapped[str | None] = mapped_column(String(256), nullable=True)
    max_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    applications_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # An auction or a summing-up is a moment (`_at`) or, given without a time, a day (`_on`,
    # the day as the notice writes it): one of the two, never both.
    auction_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    auction_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    summarizing_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    summarizing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    smp_only: Mapped[bool] = mapped_column(Boolean)
    preferences: Mapped[str] = mapped_column(Text, default="")
    okpd2: Mapped[str] = mapped_column(Text, default="")  # space-separated codes
    okpd2_main: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)  # cancelled | None
    version: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(128))
    search_text: Mapped[str] = mapped_column(Text, default="")  # lemmas for full-text search
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_procedures_region_end", "region", "applications_end"),
        Index("ix_procedures_region_published", "region", "published_at"),
        Index("ix_procedures_customer_inn", "customer_inn"),
    )


class ProcedureLot(Base):
    __tablename__ = "procedure_lots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    max_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))

    __table_args__ = (UniqueConstraint("procedure_id", "number"),)


class ProtocolStatus(Base):
    """The latest status a protocol gave a procedure (kept even before the notice arrives)."""

    __tablename__ = "protocol_statuses"

    procedure_number: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    doc_type: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    source_hash: Mapped[str] = mapped_column(String(128))


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(128), unique=True)
    law: Mapped[str] = mapped_column(String(8))
    procedure_number: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    customer_name: Mapped[str] = mapped_column(Text)
    customer_inn: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    customer_kpp: Mapped[str | None] = mapped_column(String(9), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    supplier_name: Mapped[str] = mapped_column(Text)
    supplier_inn: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    supplier_is_smp: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    signed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    execution_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    execution_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_contracts_region_signed", "region", "signed_on"),)


class ContractStage(Base):
    __tablename__ = "contract_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    end: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)

    __table_args__ = (UniqueConstraint("contract_id", "number"),)


class ExecutionDoc(Base):
    """One execution document (contractProcedure / performanceContract), by contract number:
    kept even when the contract itself is not loaded yet."""

    __tablename__ = "execution_docs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_number: Mapped[str] = mapped_column(String(128), index=True)
    law: Mapped[str] = mapped_column(String(8))
    doc_type: Mapped[str] = mapped_column(String(128))
    status_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    terminated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    termination_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_hash: Mapped[str] = mapped_column(String(128), unique=True)


class ExecutionFact(Base):
    """A stage end, an acceptance or a payment reported by an execution document."""

    __tablename__ = "execution_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("execution_docs.id", ondelete="CASCADE"))
    contract_number: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # acceptance | payment | stage
    on: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    document: Mapped[str] = mapped_column(Text, default="")

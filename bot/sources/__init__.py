"""Importers of procurement data: EIS XML (44-ФЗ, 223-ФЗ), OCDS JSON, demo data."""

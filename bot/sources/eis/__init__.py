"""EIS (zakupki.gov.ru) open-data XML → records (see shared/samples/FORMATS.md).

- `stream` — the driver: `parse_xml` streams one file with `lxml.etree.iterparse` and maps each
  document as soon as it is complete;
- `fz44`, `fz44_contracts`, `fz223` — the mappers of 44-ФЗ notices and protocols, 44-ФЗ
  contracts and their execution, and 223-ФЗ documents;
- `xml` — look-ups by namespace URI family (`…/oos/…` for 44-ФЗ, `…/223fz/…` or no namespace
  for 223-ФЗ) plus local name, never by prefix;
- `values` — dates, money and codes (date-times keep their own offset and become UTC; values
  without one are Europe/Moscow).
"""

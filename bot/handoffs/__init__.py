"""Handoffs between the two sides, as pure values: the record, its status machine and its SLA clocks."""

"""The audit log as evidence: a hash chain per organisation, its verification and its export."""

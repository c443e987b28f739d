"""Split by area (activity, welfare, dues, aid) so each ledger reads on its own."""

"""Token minting and the signing-key lifecycle."""

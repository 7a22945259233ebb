"""What every chapter of the book shares, written once."""

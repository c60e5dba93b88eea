"""Key material and cryptographic formats. Importing this never imports Textual."""

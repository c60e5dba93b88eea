"""Documents made from program data (PDF forms, receipts, exports).

Importing this package never imports Textual.
"""

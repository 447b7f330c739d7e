"""One limit per field a user types or a screen shows, used by the widgets, the validation and
the messages alike."""

MAX_RESULT = 5000  # Kết quả thực hiện
MAX_EVIDENCE = 1000  # Minh chứng
MAX_SEARCH = 200  # a search box
MAX_ISSUER = 120  # Cơ quan ban hành on a Word document
MAX_SIGNER = 80  # Người ký on a Word document
CELL_PREVIEW = 300  # characters of a long cell shown in a table; the rest behind "xem đầy đủ"
TEXT_PREVIEW = 2000  # characters of one task's text shown before "xem đầy đủ"

"""Plain-Python services of Theo dõi nhiệm vụ (only services/ui.py imports streamlit)."""

"""The About page's tables (issue 16): a cell with nothing to say shows a dash, never "None",
"nan" or a blank; counts stay whole numbers."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest


def about_page():
    from lenet5.ui import about_page as about

    about.page()


def test_about_tables_show_a_dash_for_empty_cells():
    at = AppTest.from_function(about_page).run(timeout=30)
    assert not at.exception
    tables = list(at.dataframe)
    assert len(tables) == 2  # this net's architecture, the 1998 net's
    for table in tables:
        assert table.proto.placeholder == "—"
        frame: pd.DataFrame = table.value
        assert not frame.isin(["None", "nan", "NaN", ""]).any().any()  # missing, not a word
        for column in frame.select_dtypes("number"):
            assert str(frame[column].dtype) in ("Int64", "int64"), column  # not 156.0
    classic = tables[1].value
    paper = classic.set_index("layer")["in the paper"]
    assert paper.isna()["pad"] and paper["c1"] == 156
